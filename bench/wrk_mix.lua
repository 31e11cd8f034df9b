-- wrk script: cycle through a list of requests, print a JSON summary.
-- Usage: wrk ... -s wrk_mix.lua URL -- REQUESTS_FILE
-- REQUESTS_FILE: one request per line, fields separated by TABs:
--   METHOD <TAB> PATH <TAB> Header: value <TAB> Header: value ...
local requests = {}
local counter = 0
local threads = {}

local function split(line, sep)
  local out = {}
  for field in string.gmatch(line, "([^" .. sep .. "]+)") do
    table.insert(out, field)
  end
  return out
end

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  for line in io.lines(path) do
    if #line > 0 then
      local parts = split(line, "\t")
      local headers = {}
      for i = 3, #parts do
        local name, value = string.match(parts[i], "^([^:]+):%s*(.*)$")
        if name then headers[name] = value end
      end
      table.insert(requests, wrk.format(parts[1], parts[2], headers))
    end
  end
  -- threads start at different offsets so that they do not ask the same thing in step
  counter = ((tid or 1) - 1) * 7919
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function done(summary, latency, requests_)
  -- errors.status counts responses with a status above 399 (a 304 is not an error);
  -- no response() hook, so that wrk need not parse bodies.
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
