-- PROPFIND of the URL on wrk's command line with Depth from BENCH_DEPTH.
-- Static: wrk builds the request once.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

wrk.method = "PROPFIND"
wrk.body = PROPFIND_BODY
wrk.headers["Content-Type"] = 'application/xml; charset="utf-8"'
wrk.headers["Depth"] = os.getenv("BENCH_DEPTH") or "1"
