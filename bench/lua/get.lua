-- GET of one URL (the one on wrk's command line): a static request, so wrk
-- builds it once and the client costs as little as it can.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
