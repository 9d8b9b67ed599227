import type { Redis } from "ioredis";
import { TaskCancelledError, TimeoutStrategy, timeout } from "cockatiel";
import { NotYet, PipelineError } from "../errors/pipeline-error.ts";
import { log } from "../log.ts";
import { PushedBack } from "./pushback.ts";

/**
 * Every model call goes through one circuit breaker for the whole fleet: its state
 * (consecutive failures, the last calls' outcomes, open-until, the half-open probe) lives in
 * Redis, so ten worker processes send FOLIO_BREAKER_FAILURES failing calls before it opens,
 * not ten times that, and while it is open only one probe per half-open period is let
 * through. cockatiel keeps the timeout: it passes an AbortSignal, so a timed-out call's HTTP
 * request is cut.
 *
 * It opens on either of two signals, as resilience4j's count-based window does besides the
 * classic consecutive count: `failures` in a row, or a failure rate of at least `failureRate`
 * over the last `window` calls. The rate is what catches an endpoint failing half its calls:
 * with the fleet's adaptive limit cutting the calls sent during an outage, five in a row
 * came too rarely for the breaker to open at all.
 */
export interface BreakerOptions {
  /** false (FOLIO_BREAKER=off, the seed's "before"): calls keep their timeout but no circuit. */
  enabled?: boolean;
  failures: number;
  /** Calls in the failure-rate window (0: only consecutive failures open it). */
  window?: number;
  /** The share of the window's calls that failed at which it opens. */
  failureRate?: number;
  halfOpenAfterMs: number;
  timeoutMs: number;
}

export type BreakerStateName = "closed" | "open" | "half-open";

export interface BreakerState {
  state: BreakerStateName;
  consecutiveFailures: number;
  lastChange: string | null;
  /** When an open breaker lets the next probe through (ms since the epoch), else null. */
  retryAt: number | null;
}

/** The breaker is open: the call was not sent. Try again at retryAt. */
export class BreakerOpen extends NotYet {
  override name = "BreakerOpen";
  constructor(retryAt: number) {
    super(retryAt, `the model endpoint is failing; the circuit breaker is open until ${new Date(retryAt).toISOString()}`);
  }
}

// KEYS[1] the breaker's hash. Fields: failures (in a row), recent (the last calls' outcomes,
// "1" failed / "0" answered, newest last), openUntil (0 = closed), probeUntil, changedAt.
// admit(now, probeMs) → {1} to call, {1, 1} to call as the probe, {0, retryAt} not now
// (while a probe is out, others look again within a second: it usually answers fast).
const ADMIT = `
local openUntil = tonumber(redis.call("HGET", KEYS[1], "openUntil") or "0")
if openUntil == 0 then return {1} end
local now = tonumber(ARGV[1])
if now < openUntil then return {0, openUntil} end
local probeUntil = tonumber(redis.call("HGET", KEYS[1], "probeUntil") or "0")
if probeUntil > now then return {0, math.min(probeUntil, now + 1000)} end
redis.call("HSET", KEYS[1], "probeUntil", now + tonumber(ARGV[2]))
return {1, 1}`;
const RECORD = `
local function record(outcome, window)
  local recent = ((redis.call("HGET", KEYS[1], "recent") or "") .. outcome):sub(-math.max(window, 1))
  redis.call("HSET", KEYS[1], "recent", recent)
  local _, failed = recent:gsub("1", "")
  return #recent, failed
end`;
// failure(now, threshold, halfOpenMs, window, rate) → 1 when this failure opened (or re-opened) the breaker.
const FAILURE = `${RECORD}
local failures = redis.call("HINCRBY", KEYS[1], "failures", 1)
local window = tonumber(ARGV[4])
local calls, failed = record("1", window)
local openUntil = tonumber(redis.call("HGET", KEYS[1], "openUntil") or "0")
local probing = openUntil > 0 and tonumber(ARGV[1]) >= openUntil
local tripped = failures >= tonumber(ARGV[2]) or (window > 0 and calls >= window and failed >= tonumber(ARGV[5]) * window)
if probing or (openUntil == 0 and tripped) then
  redis.call("HSET", KEYS[1], "openUntil", tonumber(ARGV[1]) + tonumber(ARGV[3]), "probeUntil", 0, "changedAt", ARGV[1])
  return 1
end
return 0`;
// success(now, admittedAt) → 1 when it closed an open breaker. A call admitted before the
// breaker opened was already on its way: its success says nothing about the endpoint now,
// and letting it close the breaker made an outage flap open and shut within milliseconds.
// A closed breaker starts its window afresh: the outage's failures are not held against the
// endpoint that came back.
const SUCCESS = `${RECORD}
local wasOpen = tonumber(redis.call("HGET", KEYS[1], "openUntil") or "0") > 0
if wasOpen and tonumber(redis.call("HGET", KEYS[1], "changedAt") or "0") >= tonumber(ARGV[2]) then return 0 end
record("0", tonumber(ARGV[3]))
redis.call("HSET", KEYS[1], "failures", 0, "openUntil", 0, "probeUntil", 0)
if wasOpen then redis.call("HSET", KEYS[1], "changedAt", ARGV[1], "recent", "") return 1 end
return 0`;

export class AiBreaker {
  private readonly cut;
  private last: BreakerState = { state: "closed", consecutiveFailures: 0, lastChange: null, retryAt: null };

  constructor(
    private readonly opts: BreakerOptions,
    private readonly redis: Redis,
    /** The Redis hash every thread and process shares, e.g. `{folio}:ai-breaker`. */
    private readonly key: string,
  ) {
    this.cut = timeout(opts.timeoutMs, TimeoutStrategy.Aggressive);
  }

  private get window(): number {
    return this.opts.window ?? 0;
  }

  /** Runs a model call; a hung call is cut at timeoutMs and counts as a failure. */
  async call<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const enabled = this.opts.enabled !== false;
    const admittedAt = Date.now();
    if (enabled) {
      const [go, extra] = (await this.redis.eval(ADMIT, 1, this.key, admittedAt, this.opts.timeoutMs + 1000)) as [number, number?];
      if (!go) {
        await this.refresh();
        throw new BreakerOpen(extra!);
      }
    }
    try {
      const result = await this.cut.execute(({ signal }) => fn(signal));
      if (enabled && (await this.redis.eval(SUCCESS, 1, this.key, Date.now(), admittedAt, this.window)) === 1) log.warn({ breaker: "closed" }, "AI circuit breaker closed");
      if (enabled) await this.refresh();
      return result;
    } catch (err) {
      // A provider asking to slow down is answering: not a failure of the endpoint.
      if (enabled && !(err instanceof PushedBack)) {
        const opened = await this.redis.eval(FAILURE, 1, this.key, Date.now(), this.opts.failures, this.opts.halfOpenAfterMs, this.window, this.opts.failureRate ?? 0.5);
        await this.refresh();
        if (opened === 1) log.warn({ breaker: "open", consecutiveFailures: this.last.consecutiveFailures }, "AI circuit breaker open");
      }
      if (err instanceof TaskCancelledError) throw new PipelineError("ai_unavailable", `the model call timed out after ${this.opts.timeoutMs} ms`, true);
      throw err;
    }
  }

  /** Re-reads the shared state (after each call, so state() is current for monitoring). */
  async refresh(): Promise<BreakerState> {
    const h = await this.redis.hgetall(this.key);
    const openUntil = Number(h.openUntil ?? 0);
    const now = Date.now();
    const state: BreakerStateName = openUntil === 0 ? "closed" : now < openUntil ? "open" : "half-open";
    this.last = {
      state,
      consecutiveFailures: Number(h.failures ?? 0),
      lastChange: h.changedAt ? new Date(Number(h.changedAt)).toISOString() : null,
      retryAt: state === "closed" ? null : state === "open" ? openUntil : Math.max(now + 1000, Number(h.probeUntil ?? 0)),
    };
    return this.last;
  }

  /** The state as last seen by this thread. */
  state(): BreakerState {
    return this.last;
  }
}

