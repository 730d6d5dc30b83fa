-- wrk script for pair-wrk.sh: a new transfer per request (tx_hash ab-<time>-<random>-<n>) with CONF
-- confirmations (12 unless set) and, when USER_ID is set, that user_id, so a ready deposit credits
-- that user. Prints "wrk-json requests seconds non2xx p50_ms p99_ms".
local counter = 0
local prefix
local conf = os.getenv("CONF") or "12"
local user = os.getenv("USER_ID")
function init(args)
    prefix = "ab-" .. os.time() .. "-" .. tostring(math.random(1, 1e9)) .. "-"
end
function request()
    counter = counter + 1
    local extra = ""
    if user and user ~= "" then extra = ',"user_id":"' .. user .. '"' end
    local body = '{"tx_hash":"' .. prefix .. counter .. '","amount":"1.5","confirmations":' .. conf .. extra .. '}'
    return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end
function done(summary, latency, requests)
    io.write(string.format("wrk-json %d %.3f %d %.3f %.3f\n", summary.requests, summary.duration / 1e6,
        summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
