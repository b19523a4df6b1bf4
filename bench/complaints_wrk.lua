-- wrk script for bench/complaints_load.py: each request is a new citizen's complaint (its own
-- device cookie and network address, a unique description) POSTed to /complaints/new/ from a
-- place on Thai land. BENCH_PLACES_FILE ("lat lon" lines, places in Thailand),
-- BENCH_CATEGORIES (category ids, comma-separated), BENCH_TOKEN (CSRF secret), BENCH_ORIGIN
-- and BENCH_RUN (differs between runs, so no device or address repeats) come from the
-- environment. A success is the 302 to the private follow page; a 200 is the page offering
-- open complaints nearby ("me too") instead; anything else is a failure.
-- BENCH_MODE=health sends GET /healthz instead (success: 200), the web stack alone.
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  places = {}
  for line in io.lines(os.getenv("BENCH_PLACES_FILE")) do
    local lat, lon = line:match("([%d.]+) ([%d.]+)")
    table.insert(places, { tonumber(lat), tonumber(lon) })
  end
  categories = {}
  for id in os.getenv("BENCH_CATEGORIES"):gmatch("%d+") do
    table.insert(categories, id)
  end
  token = os.getenv("BENCH_TOKEN")
  origin = os.getenv("BENCH_ORIGIN")
  run = tonumber(os.getenv("BENCH_RUN"))
  health = os.getenv("BENCH_MODE") == "health"
  math.randomseed(id * 7919 + run)
  counter = 0
  ok = 0
  nearby = 0
  failed = 0
end

function request()
  counter = counter + 1
  if health then
    return wrk.format("GET", "/healthz", { ["X-Forwarded-Proto"] = "https" })
  end
  local n = run * 100000000 + id * 10000000 + counter
  local address = (run * 7654321 + id * 4000000 + counter) % 16777216
  local place = places[math.random(#places)]
  -- within about 200 m of a place known to be on land
  local lat = place[1] + (math.random() - 0.5) * 0.004
  local lon = place[2] + (math.random() - 0.5) * 0.004
  local body = "csrfmiddlewaretoken=" .. token
    .. "&category=" .. categories[math.random(#categories)]
    .. "&description=wrk-" .. n .. "+%E0%B9%84%E0%B8%9F%E0%B8%9F%E0%B9%89%E0%B8%B2%E0%B8%94%E0%B8%B1%E0%B8%9A"
    .. string.format("&latitude=%.6f&longitude=%.6f", lat, lon)
    .. "&reporter_name=&reporter_email=&reporter_phone="
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. token .. "; cr_device=wrk-" .. n,
    ["X-Real-IP"] = string.format("10.%d.%d.%d", math.floor(address / 65536),
      math.floor(address / 256) % 256, address % 256),
    ["X-Forwarded-Proto"] = "https",
    ["Origin"] = origin,
    ["Referer"] = origin .. "/complaints/new/",
  }
  return wrk.format("POST", "/complaints/new/", headers, body)
end

function response(status, headers, body)
  if health then
    if status == 200 then ok = ok + 1 else failed = failed + 1 end
  elseif status == 302 then
    ok = ok + 1
  elseif status == 200 then
    nearby = nearby + 1
  else
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local total_ok, total_nearby, total_failed = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_nearby = total_nearby + thread:get("nearby")
    total_failed = total_failed + thread:get("failed")
  end
  io.write(string.format(
    "RESULT ok=%d nearby=%d failed=%d socket_errors=%d seconds=%.3f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f\n",
    total_ok, total_nearby, total_failed,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
