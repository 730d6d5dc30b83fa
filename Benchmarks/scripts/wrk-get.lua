-- wrk script for GET probes (/healthz): the same one-line JSON summary as wrk-webhook.lua.
function done(summary, latency, requests)
    io.write(string.format("wrk-json {\"requests\":%d,\"seconds\":%.3f,\"non2xx\":%d,\"socket_errors\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
        summary.requests, summary.duration / 1e6, summary.errors.status,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
