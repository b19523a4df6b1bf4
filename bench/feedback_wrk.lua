-- wrk script for bench/feedback_load.py: each request is a new citizen's answer (its own
-- device cookie and network address, a unique comment), POSTed to a random point's page.
-- BENCH_POINTS_FILE (point ids, one per line), BENCH_TOKEN (CSRF secret), BENCH_ORIGIN and
-- BENCH_RUN
-- (a number that differs between runs, so no device or address repeats) come from the
-- environment. A success is the 302 to the thank-you page; anything else is a failure.
-- BENCH_MODE=health sends GET /healthz instead (success: 200), the web stack alone;
-- BENCH_MODE=page sends GET /f/<point>/ (success: 200), the page the QR code opens.
-- BENCH_CLOSE=1 asks for a new connection per request (no keep-alive).
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  points = {}
  for point in io.lines(os.getenv("BENCH_POINTS_FILE")) do
    table.insert(points, point)
  end
  token = os.getenv("BENCH_TOKEN")
  origin = os.getenv("BENCH_ORIGIN")
  run = tonumber(os.getenv("BENCH_RUN"))
  health = os.getenv("BENCH_MODE") == "health"
  page = os.getenv("BENCH_MODE") == "page"
  close = os.getenv("BENCH_CLOSE") == "1"
  expected = 302
  if health or page then expected = 200 end
  math.randomseed(id * 7919)
  counter = 0
  ok = 0
  failed = 0
end

function request()
  counter = counter + 1
  if health then
    local headers = { ["X-Forwarded-Proto"] = "https" }
    if close then headers["Connection"] = "close" end
    return wrk.format("GET", "/healthz", headers)
  end
  if page then
    local headers = { ["X-Forwarded-Proto"] = "https" }
    if close then headers["Connection"] = "close" end
    return wrk.format("GET", "/f/" .. points[math.random(#points)] .. "/", headers)
  end
  local n = run * 100000000 + id * 10000000 + counter
  local address = (run * 7654321 + id * 4000000 + counter) % 16777216
  local point = points[math.random(#points)]
  local copy = "no"
  if math.random(4) == 1 then copy = "yes" end
  local body = "csrfmiddlewaretoken=" .. token
    .. "&service=other&service_other="
    .. "&overall=" .. math.random(5) .. "&process=" .. math.random(5)
    .. "&staff=" .. math.random(5) .. "&facilities=" .. math.random(5)
    .. "&outcome=" .. math.random(5) .. "&asked_for_copy=" .. copy
    .. "&comment=wrk-" .. n .. "&contact_name=&contact_email=&contact_phone=&website="
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. token .. "; fb_device=wrk-" .. n,
    ["X-Real-IP"] = string.format("10.%d.%d.%d", math.floor(address / 65536),
      math.floor(address / 256) % 256, address % 256),
    ["X-Forwarded-Proto"] = "https",
    ["Origin"] = origin,
    ["Referer"] = origin .. "/f/" .. point .. "/",
  }
  if close then headers["Connection"] = "close" end
  return wrk.format("POST", "/f/" .. point .. "/", headers, body)
end

function response(status, headers, body)
  if status == expected then
    ok = ok + 1
  else
    failed = failed + 1
  end
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
