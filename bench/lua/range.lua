-- Random single-range GETs of BENCH_RANGE_BYTES inside a file of
-- BENCH_FILE_BYTES (the URL on wrk's command line).
--
-- No response() on purpose: with one, wrk copies every body into Lua and
-- grows its buffer 1 KiB at a time, which caps 1 MiB answers at the client.
-- So the count is kept in request(): without pipelining a connection asks
-- again only after an answer, so after BENCH_PER_THREAD + (connections of
-- the thread) calls that many answers are in. The thread then stops and
-- says so on stdout; the benchmark ends wrk (which would sleep out its -d).
-- Statuses are wrk's (non-2xx counts as an error); the benchmark checks the
-- 206 and the length once with curl, and the bytes per answer here.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local fileBytes = tonumber(os.getenv("BENCH_FILE_BYTES"))
local rangeBytes = tonumber(os.getenv("BENCH_RANGE_BYTES"))
local perThread = tonumber(os.getenv("BENCH_PER_THREAD"))
local connsPerThread = tonumber(os.getenv("BENCH_CONNS_PER_THREAD"))
local calls = 0

function init(args)
  math.randomseed(tonumber(os.getenv("BENCH_SEED") or "1") * 1000 + id)
end

function request()
  calls = calls + 1
  if calls == perThread + connsPerThread then
    io.write("BENCH_THREAD_DONE\n")
    io.flush()
    wrk.thread:stop()
  end
  local first = math.floor(math.random() * (fileBytes - rangeBytes + 1))
  wrk.headers["Range"] = string.format("bytes=%.0f-%.0f", first, first + rangeBytes - 1)
  return wrk.format()
end
