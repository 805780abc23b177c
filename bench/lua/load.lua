-- wrk script shared by both systems, so they get the same requests from the same generator.
-- Arguments: <system: hexastore|etcd> <mode: put|get|mix> <keyspace> <run tag> <namespace>
--   put: distinct new keys p/<tag>/<thread>/<n>; get: random prefilled keys g/<i>, i < keyspace;
--   mix: 90% get, 10% put, both over the prefilled keys.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(text)
  local out = {}
  for i = 1, #text, 3 do
    local a, b, c = text:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local d1 = math.floor(n / 262144) % 64
    local d2 = math.floor(n / 4096) % 64
    local d3 = math.floor(n / 64) % 64
    local d4 = n % 64
    out[#out + 1] = alphabet:sub(d1 + 1, d1 + 1) .. alphabet:sub(d2 + 1, d2 + 1)
      .. (b and alphabet:sub(d3 + 1, d3 + 1) or "=") .. (c and alphabet:sub(d4 + 1, d4 + 1) or "=")
  end
  return table.concat(out)
end

local system, mode, keyspace, tag, namespace
local value = string.rep("v", 100)
local value64 = base64(value)
local json = { ["content-type"] = "application/json" }
local counter = 0

function init(args)
  system, mode, keyspace, tag, namespace = args[1], args[2], tonumber(args[3]), args[4], args[5]
  math.randomseed(os.time() + (tid or 0) * 7919)
end

local function put(key)
  if system == "hexastore" then
    return wrk.format("PUT", "/v1/namespaces/" .. namespace .. "/entries/" .. key, json, '{"value":"' .. value .. '"}')
  end
  return wrk.format("POST", "/v3/kv/put", json, '{"key":"' .. base64(key) .. '","value":"' .. value64 .. '"}')
end

local function get(key)
  if system == "hexastore" then
    return wrk.format("GET", "/v1/namespaces/" .. namespace .. "/entries/" .. key)
  end
  return wrk.format("POST", "/v3/kv/range", json, '{"key":"' .. base64(key) .. '"}')
end

local function existing()
  return "g/" .. math.random(0, keyspace - 1)
end

function request()
  if mode == "put" then
    counter = counter + 1
    return put("p/" .. tag .. "/" .. (tid or 0) .. "/" .. counter)
  elseif mode == "get" then
    return get(existing())
  elseif math.random(10) == 1 then
    return put(existing())
  end
  return get(existing())
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,"meanUs":%.1f,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
