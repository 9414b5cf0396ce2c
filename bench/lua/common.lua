-- Shared by every wrk script of the benchmark (loaded with dofile from
-- BENCH_LUA_DIR). Numbers threads, and prints one machine-readable line,
--   BENCH_RESULT {json}
-- with requests, duration, bytes, wrk's error counts, the script's own count
-- of unexpected statuses ("bad") and latency percentiles in microseconds.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

bad = 0

function done(summary, latency, requests)
  local badTotal = 0
  for _, t in ipairs(threads) do
    badTotal = badTotal + (t:get("bad") or 0)
  end
  local e = summary.errors
  local function n(x) return string.format("%.0f", x or 0) end
  io.write("BENCH_RESULT {"
    .. '"requests":' .. n(summary.requests)
    .. ',"duration_us":' .. n(summary.duration)
    .. ',"bytes":' .. n(summary.bytes)
    .. ',"errors":{"connect":' .. n(e.connect) .. ',"read":' .. n(e.read) .. ',"write":' .. n(e.write)
    .. ',"status":' .. n(e.status) .. ',"timeout":' .. n(e.timeout) .. '}'
    .. ',"bad":' .. n(badTotal)
    .. ',"latency_us":{"p50":' .. n(latency:percentile(50)) .. ',"p90":' .. n(latency:percentile(90))
    .. ',"p99":' .. n(latency:percentile(99)) .. ',"max":' .. n(latency.max) .. ',"mean":' .. n(latency.mean) .. '}'
    .. "}\n")
end

-- A PROPFIND body asking for the live properties file managers list.
PROPFIND_BODY = '<?xml version="1.0" encoding="utf-8"?>'
  .. '<D:propfind xmlns:D="DAV:"><D:prop>'
  .. '<D:resourcetype/><D:getcontentlength/><D:getlastmodified/><D:getetag/><D:getcontenttype/>'
  .. '</D:prop></D:propfind>'
