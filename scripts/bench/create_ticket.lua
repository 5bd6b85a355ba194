-- wrk script: every request logs a ticket through the API (POST /api/tickets/, token auth).
-- The token and caller come from the environment (set by `manage.py create_bench`).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token " .. os.getenv("BENCH_TOKEN")
local caller = os.getenv("BENCH_CALLER")
local service = os.getenv("BENCH_SERVICE")
local n = 0

request = function()
  n = n + 1
  local body = string.format(
    '{"title": "Skriveren på post %d skriver ikke ut", "description": "wrk", "caller": %s, "service": %s, "impact": 3, "urgency": 3}',
    n, caller, service)
  return wrk.format(nil, "/api/tickets/", nil, body)
end

-- One JSON line the command reads: counts and latency percentiles in microseconds.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests": %d, "duration_us": %d, "errors": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
