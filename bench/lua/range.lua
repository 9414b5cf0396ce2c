-- Random single-range GETs of BENCH_RANGE_BYTES inside a file of
-- BENCH_FILE_BYTES (the URL on wrk's command line). Each thread stops after
-- BENCH_PER_THREAD answers and says so on stdout; the benchmark then ends wrk
-- (wrk itself would sleep out its -d). Anything but 206 counts as bad.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local fileBytes = tonumber(os.getenv("BENCH_FILE_BYTES"))
local rangeBytes = tonumber(os.getenv("BENCH_RANGE_BYTES"))
local perThread = tonumber(os.getenv("BENCH_PER_THREAD"))
local answered = 0

function init(args)
  math.randomseed(tonumber(os.getenv("BENCH_SEED") or "1") * 1000 + id)
end

function request()
  local first = math.floor(math.random() * (fileBytes - rangeBytes + 1))
  wrk.headers["Range"] = string.format("bytes=%.0f-%.0f", first, first + rangeBytes - 1)
  return wrk.format()
end

function response(status, headers, body)
  if status ~= 206 then bad = bad + 1 end
  answered = answered + 1
  if answered == perThread then
    io.write("BENCH_THREAD_DONE\n")
    io.flush()
    wrk.thread:stop()
  end
end
