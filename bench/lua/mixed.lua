-- A file manager browsing photo albums: PROPFIND Depth 1 of a small folder
-- (30 %), GET of a photo in it (68 %), and now and then an upload (2 %, a
-- 100 KiB photo under a new name). Paths from BENCH_DATA_PATH and
-- BENCH_UPLOAD_PATH; the data has 50 albums of 20 photos.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local dataPath = os.getenv("BENCH_DATA_PATH")
local uploadPath = os.getenv("BENCH_UPLOAD_PATH")
local runTag = os.getenv("BENCH_RUN_TAG") or "0"
local putBody
local sent = 0

function init(args)
  math.randomseed(tonumber(os.getenv("BENCH_SEED") or "1") * 1000 + id)
  local parts = { "\255\216\255\224\0\16JFIF\0\1\1\0\0\1\0\1\0\0" }
  for i = 1, 1600 do parts[#parts + 1] = string.format("%064d", i * 7919 + id) end
  parts[#parts + 1] = "\255\217"
  putBody = table.concat(parts)
end

function request()
  sent = sent + 1
  local album = string.format("browse/album-%02d/", math.random(0, 49))
  local r = math.random(100)
  if r <= 2 then
    wrk.headers["Depth"] = nil
    wrk.headers["Content-Type"] = "image/jpeg"
    return wrk.format("PUT", string.format("%smix-%s-%d-%d.jpg", uploadPath, runTag, id, sent), nil, putBody)
  elseif r <= 32 then
    wrk.headers["Depth"] = "1"
    wrk.headers["Content-Type"] = 'application/xml; charset="utf-8"'
    return wrk.format("PROPFIND", dataPath .. album, nil, PROPFIND_BODY)
  else
    wrk.headers["Depth"] = nil
    wrk.headers["Content-Type"] = nil
    return wrk.format("GET", string.format("%s%sIMG_%04d.jpg", dataPath, album, math.random(1, 20)), nil, nil)
  end
end
