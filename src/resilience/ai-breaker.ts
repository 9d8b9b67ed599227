import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  timeout,
  wrap,
} from "cockatiel";
import { NotYet } from "../pipeline/errors.ts";
import { log } from "../log.ts";

/**
 * Every model call goes through one circuit breaker per thread. cockatiel, not opossum:
 * it is typed, has no dependencies, composes timeout and breaker as policies, and passes
 * an AbortSignal so a timed-out call's HTTP request is really cut.
 */
export interface BreakerOptions {
  /** false (FOLIO_BREAKER=off, the seed's "before"): calls keep their timeout but no circuit. */
  enabled?: boolean;
  failures: number;
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

const NAMES: Record<CircuitState, BreakerStateName> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half-open",
  [CircuitState.Isolated]: "open",
};

export class AiBreaker {
  private readonly breaker;
  private readonly policy;
  private failures = 0;
  private openedAt = 0;
  private lastChange: Date | null = null;

  constructor(private readonly opts: BreakerOptions) {
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: opts.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(opts.failures),
    });
    const cut = timeout(opts.timeoutMs, TimeoutStrategy.Aggressive);
    this.policy = opts.enabled === false ? wrap(cut) : wrap(this.breaker, cut);
    this.breaker.onFailure(() => this.failures++);
    this.breaker.onSuccess(() => (this.failures = 0));
    this.breaker.onStateChange((state) => {
      this.lastChange = new Date();
      if (state === CircuitState.Open) this.openedAt = Date.now();
      log.warn({ breaker: NAMES[state], consecutiveFailures: this.failures }, `AI circuit breaker ${NAMES[state]}`);
    });
  }

  /** Runs a model call; a hung call is cut at timeoutMs and counts as a failure. */
  async call<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await this.policy.execute(({ signal }) => fn(signal));
    } catch (err) {
      if (err instanceof BrokenCircuitError) throw new BreakerOpen(this.retryAt());
      if (err instanceof TaskCancelledError) throw new Error(`the model call timed out after ${this.opts.timeoutMs} ms`);
      throw err;
    }
  }

  private retryAt(): number {
    // Half-open with its probe in flight: others come back a moment later.
    return this.breaker.state === CircuitState.Open ? this.openedAt + this.opts.halfOpenAfterMs : Date.now() + 1000;
  }

  state(): BreakerState {
    const state = NAMES[this.breaker.state];
    return {
      state,
      consecutiveFailures: this.failures,
      lastChange: this.lastChange?.toISOString() ?? null,
      retryAt: state === "closed" ? null : this.retryAt(),
    };
  }
}

let current: AiBreaker | undefined;

/** This thread's breaker, created on first use. */
export function aiBreaker(opts: BreakerOptions): AiBreaker {
  current ??= new AiBreaker(opts);
  return current;
}

/** The breaker state for the monitoring code; null where no model call was ever made. */
export function breakerState(): BreakerState | null {
  return current?.state() ?? null;
}
