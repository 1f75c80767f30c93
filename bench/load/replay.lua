-- Replays pre-generated requests (gen.py); each wrk thread takes every n-th record, so no request is sent
-- twice unless the file runs out (counted as "wrapped"). X-Request-Start is stamped at send time, as nginx
-- would, so the app can shed requests that queued too long. Optional constant rate per thread via delay().
-- args: <file> <threads> <rate per second, 0 = as fast as possible>
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } ff_timeval;
int gettimeofday(ff_timeval *tv, void *tz);
]]
local tv = ffi.new("ff_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end

local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(args[2])
  local rate = tonumber(args[3] or "0")
  interval = 0
  if rate > 0 then interval = 1000.0 * nthreads / rate end
  local f = assert(io.open(args[1], "rb"))
  local data = f:read("*a")
  f:close()
  reqs = {}
  local pos, i = 1, 0
  while pos < #data do
    local e = data:find("\n", pos, true)
    local method, target = data:sub(pos, e - 1):match("^(%S+) (%S+)$")
    pos = e + 1
    e = data:find("\n", pos, true)
    local nh = tonumber(data:sub(pos, e - 1))
    pos = e + 1
    local headers = {}
    for _ = 1, nh do
      e = data:find("\n", pos, true)
      local name, value = data:sub(pos, e - 1):match("^([^:]+): (.*)$")
      headers[name] = value
      pos = e + 1
    end
    e = data:find("\n", pos, true)
    local blen = tonumber(data:sub(pos, e - 1))
    pos = e + 1
    local body = nil
    if blen > 0 then body = data:sub(pos, pos + blen - 1) end
    pos = pos + blen + 1
    if i % nthreads == tid then
      headers["X-Request-Start"] = "@@TS@@"
      local raw = wrk.format(method, target, headers, body)
      local a, b = raw:find("@@TS@@", 1, true)
      table.insert(reqs, { raw:sub(1, a - 1), raw:sub(b + 1) })
    end
    i = i + 1
  end
  idx = 0
  wrapped = 0
end

function delay()
  if interval <= 0 then return 0 end
  local now = now_ms()
  if next_t == nil or next_t < now - 1000 then next_t = now end
  next_t = next_t + interval
  local d = next_t - now
  if d < 0 then return 0 end
  return math.floor(d)
end

function request()
  idx = idx + 1
  if idx > #reqs then
    idx = 1
    wrapped = wrapped + 1
  end
  local r = reqs[idx]
  return r[1] .. string.format("t=%.3f", now_ms() / 1000) .. r[2]
end

function done(summary, latency, requests)
  local wrapped_total = 0
  for _, t in ipairs(threads) do wrapped_total = wrapped_total + (t:get("wrapped") or 0) end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"wrapped":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    wrapped_total))
end
