-- wrk script for bench/line_webhook.py: each request is a signed LINE webhook body read from
-- BENCH_BODIES_FILE ("signature<TAB>body" per line, every webhookEventId unique); each of
-- wrk's threads takes every BENCH_THREADS-th line from its own offset, so no event is sent
-- twice unless the file runs out. BENCH_MODE=health sends GET /healthz instead (the web
-- stack alone). A success is 200.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  health = os.getenv("BENCH_MODE") == "health"
  step = tonumber(os.getenv("BENCH_THREADS"))
  bodies = {}
  if not health then
    local n = 0
    for line in io.lines(os.getenv("BENCH_BODIES_FILE")) do
      if n % step == id then
        local tab = string.find(line, "\t", 1, true)
        table.insert(bodies, { string.sub(line, 1, tab - 1), string.sub(line, tab + 1) })
      end
      n = n + 1
    end
  end
  counter = 0
  ok = 0
  failed = 0
end

function request()
  if health then
    return wrk.format("GET", "/healthz", { ["X-Forwarded-Proto"] = "https" })
  end
  counter = counter + 1
  local item = bodies[(counter - 1) % #bodies + 1]
  return wrk.format("POST", "/line/webhook", {
    ["Content-Type"] = "application/json; charset=utf-8",
    ["X-Line-Signature"] = item[1],
    ["X-Forwarded-Proto"] = "https",
  }, item[2])
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else failed = failed + 1 end
end

function done(summary, latency, requests)
  local total_ok, total_failed = 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_failed = total_failed + thread:get("failed")
  end
  io.write(string.format(
    "RESULT ok=%d failed=%d socket_errors=%d seconds=%.3f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f\n",
    total_ok, total_failed,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
