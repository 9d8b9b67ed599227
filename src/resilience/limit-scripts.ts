/**
 * The fleet's model-call limit, as Redis scripts so that every process and thread reads and
 * moves one number atomically. KEYS[1] is the limit's hash, KEYS[2] the sorted set of permits
 * held (member: permit id, score: when its lease ends).
 *
 * Hash fields: limit (a float; floor() of it is the number of permits; absent: the initial
 * limit, ARGV, until the first call), min and max (bounds an operator stored; absent: the
 * configured ones, ARGV), pausedUntil (a provider's reset), best and bestAt (the best average
 * latency seen recently), lastDrop (when the limit last shrank), ceiling and ceilingAt (the
 * limit at the last 429), ssthresh (where a slow start after a 429 ends), latency (answered
 * calls' latency averaged over about one round of calls), slow ("0" once slow start has
 * ended, "restart" in one after a 429), pushbacks and errors (counts, for monitoring).
 */

const BOUNDS = `
local function bounds(h, cfgMin, cfgMax)
  local lo = tonumber(redis.call("HGET", h, "min") or cfgMin)
  local hi = tonumber(redis.call("HGET", h, "max") or cfgMax)
  if hi < lo then hi = lo end
  return lo, hi
end
local function current(h, lo, hi, initial)
  local limit = tonumber(redis.call("HGET", h, "limit") or initial)
  return math.max(lo, math.min(hi, limit))
end`;

/**
 * acquire(now, want, leaseUntil, idBase, cfgMin, cfgMax, initial) → {granted, pausedUntil}: up to
 * `want` permits named idBase:1…idBase:n; none while a provider's pause lasts. Expired
 * leases (a killed process's permits) are dropped first.
 */
export const ACQUIRE = `${BOUNDS}
local now = tonumber(ARGV[1])
redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", now)
local paused = tonumber(redis.call("HGET", KEYS[1], "pausedUntil") or "0")
if paused > now then return {0, paused} end
local lo, hi = bounds(KEYS[1], ARGV[5], ARGV[6])
local free = math.floor(current(KEYS[1], lo, hi, ARGV[7])) - redis.call("ZCARD", KEYS[2])
local n = math.min(tonumber(ARGV[2]), free)
if n <= 0 then return {0, 0} end
for i = 1, n do redis.call("ZADD", KEYS[2], ARGV[3], ARGV[4] .. ":" .. i) end
return {n, 0}`;

/**
 * release(now, id, outcome, latencyMs, cfgMin, cfgMax, pauseUntil, initial) → the new limit.
 * outcome: "unsent" (the breaker refused it: says nothing), "ok", "error" (5xx, timeout),
 * "pushback" (a 429). pauseUntil (0: none) stops every process sending until then: a 429's
 * Retry-After, or an answer saying no requests or tokens are left until the reset.
 *
 * The rule is Gradient2's (Netflix concurrency-limits) against the best recent latency, as
 * Envoy's adaptive concurrency filter measures it: target = limit × gradient + √limit, with
 * gradient = clamp(1.2 × best / latency, 0.5, 1), latency being averaged over about one round
 * of calls (model answers vary with their length: one sample says little) and best the lowest
 * such average. Each sample moves the limit 1/limit of the
 * way to the target, so a full round of calls moves it once: while latency stays within 20 %
 * of the best, the limit grows by √limit per round trip. Before that, a fresh fleet starts at
 * the minimum in slow start, as TCP does, a little gentler: each answer adds half a permit, so
 * the limit grows 1.5× every round trip (2 → 34 in seven), until an answer takes 1.25 × the best
 * latency (HyStart++'s exit on delay, which a provider's queue shows before it refuses: per
 * answer, not averaged, because the average lags a round behind; and 1.5×, not 2×, because
 * the calls a round sends before its answers show the delay overshoot by that much), a 429
 * or an error. The best
 * forgets slowly (+1 % a second) so that a provider that got slower for good is measured
 * again. It grows only while at least half the permits are in use (an idle fleet learns
 * nothing). Errors cut it by a tenth, at most once a second (a burst of failures is one
 * signal; an outage is the breaker's to handle, not a reason to starve it of the calls that
 * tell it the endpoint is failing). A 429 is TCP's timeout, not its lost packet: the whole
 * fleet stops until the reset, so nothing paces the restart, and sending the halved limit at
 * once after the pause ran into the refusal again (a fourfold drop in capacity took three
 * bursts of 429s). So the first 429 of a burst restarts slow start from a quarter of the limit
 * it refused, doubling each round trip (half a permit an answer would be gentler, but half the
 * refused limit, TCP's ssthresh, already bounds it) up to half of it, and marks that limit
 * as a ceiling: for a minute the limit stays under 90 % of it (a provider's cap does not
 * move, and the gradient rule, whose headroom √limit is large next to a small cap, otherwise
 * climbed back into it every few seconds); after the minute it probes again. The rest of the
 * burst changes nothing.
 */
export const RELEASE = `${BOUNDS}
local now = tonumber(ARGV[1])
local held = redis.call("ZCARD", KEYS[2])
redis.call("ZREM", KEYS[2], ARGV[2])
local outcome = ARGV[3]
local lo, hi = bounds(KEYS[1], ARGV[5], ARGV[6])
local limit = current(KEYS[1], lo, hi, ARGV[8])
if outcome == "unsent" then return tostring(limit) end
local sample = tonumber(ARGV[4])
local best = tonumber(redis.call("HGET", KEYS[1], "best") or "0")
local bestAt = tonumber(redis.call("HGET", KEYS[1], "bestAt") or now)
if best > 0 then best = best * (1 + 0.01 * math.max(0, now - bestAt) / 1000) end
-- One signal per round trip (a second at least): the rest of a burst of 429s or errors says nothing new.
local dropDue = now - tonumber(redis.call("HGET", KEYS[1], "lastDrop") or "0") >= math.max(best, 1000)
local slowMode = redis.call("HGET", KEYS[1], "slow")
local slow = slowMode ~= "0"
if outcome == "ok" then
  local ssthresh = tonumber(redis.call("HGET", KEYS[1], "ssthresh") or hi)
  if slow and ((best > 0 and sample >= 1.25 * best) or limit >= ssthresh) then
    -- The average lags a round behind a limit that grew 1.5×: it starts again from what the provider shows now.
    slow = false
    redis.call("HSET", KEYS[1], "slow", "0", "latency", sample)
  end
  -- Latency averaged over a round of calls (16 at least): one long answer is not congestion.
  local short = tonumber(redis.call("HGET", KEYS[1], "latency") or sample)
  short = short + (sample - short) * 2 / (math.max(limit, 16) + 1)
  if best == 0 or short < best then best = short end
  redis.call("HSET", KEYS[1], "best", best, "bestAt", now, "latency", short)
  local gradient = math.max(0.5, math.min(1, 1.2 * best / math.max(short, 1)))
  local target = limit * gradient + math.sqrt(limit)
  local step = (target - limit) / limit
  if step > 0 then
    if held < limit / 2 then step = 0
    elseif slow then step = math.min(slowMode == "restart" and 1 or 0.5, ssthresh - limit) end
    if now - tonumber(redis.call("HGET", KEYS[1], "ceilingAt") or "0") < 60000 then
      step = math.max(0, math.min(step, 0.9 * tonumber(redis.call("HGET", KEYS[1], "ceiling")) - limit))
    end
  end
  limit = limit + step
elseif outcome == "pushback" then
  redis.call("HINCRBY", KEYS[1], "pushbacks", 1)
  if dropDue then
    redis.call("HSET", KEYS[1], "ceiling", limit, "ceilingAt", now, "lastDrop", now, "slow", "restart", "ssthresh", math.max(lo, limit / 2))
    limit = math.max(lo, limit / 4)
  end
else
  redis.call("HINCRBY", KEYS[1], "errors", 1)
  redis.call("HSET", KEYS[1], "slow", "0")
  if dropDue then
    limit = math.max(lo, limit * 0.9)
    redis.call("HSET", KEYS[1], "lastDrop", now)
  end
end
local pause = tonumber(ARGV[7])
if pause > tonumber(redis.call("HGET", KEYS[1], "pausedUntil") or "0") then redis.call("HSET", KEYS[1], "pausedUntil", pause) end
limit = math.max(lo, math.min(hi, limit))
redis.call("HSET", KEYS[1], "limit", tostring(limit))
return tostring(limit)`;
