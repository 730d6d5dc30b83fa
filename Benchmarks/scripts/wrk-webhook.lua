-- wrk script: POSTs the harness's webhook body with a unique tx_hash per request
-- (bench-wrk-<run>-<thread>-<n>), so every request is a new transfer the service must store.
--   wrk -t1 -c100 -d30s -s Benchmarks/scripts/wrk-webhook.lua http://127.0.0.1:8000/api/v1/webhooks/bep20
local counter = 0
local prefix

function setup(thread)
    thread:set("thread_id", tostring(math.random(1, 1e9)))
end

function init(args)
    prefix = "bench-wrk-" .. os.time() .. "-" .. (thread_id or tostring(math.random(1, 1e9))) .. "-"
end

function request()
    counter = counter + 1
    local body = '{"tx_hash":"' .. prefix .. counter .. '","amount":"1.5","confirmations":12}'
    return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
    local codes = summary.errors.status
    io.write(string.format("wrk-json {\"requests\":%d,\"seconds\":%.3f,\"non2xx\":%d,\"socket_errors\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
        summary.requests, summary.duration / 1e6, codes,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
