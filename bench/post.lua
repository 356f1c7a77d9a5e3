-- wrk script: one fixed request (method + JSON body from a file), counts bad answers
-- (not 200, or a body containing a needle such as '"errors"'), prints one JSON line.
-- Usage: wrk ... -s bench/post.lua URL -- METHOD BODY_FILE|- NEEDLE|-

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local method = args[1] or "GET"
  local body_file = args[2]
  needle = args[3]
  if needle == "-" or needle == "" then needle = nil end
  local body = nil
  if body_file ~= nil and body_file ~= "-" and body_file ~= "" then
    local f = assert(io.open(body_file, "rb"))
    body = f:read("*a")
    f:close()
    wrk.headers["Content-Type"] = "application/json"
  end
  req = wrk.format(method, nil, nil, body)
  bad = 0
end

function request()
  return req
end

function response(status, headers, body)
  if status ~= 200 or (needle ~= nil and string.find(body, needle, 1, true)) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do
    bad_total = bad_total + (t:get("bad") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bad":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"mean_us":%.1f,"max_us":%d}\n',
    summary.requests, summary.duration, bad_total, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
