import type { Redis } from "ioredis";
import { threadId } from "node:worker_threads";
import { log } from "../log.ts";
import { keyspace } from "../redis/keyspace.ts";
import { ACQUIRE, RELEASE } from "./limit-scripts.ts";
import { ProviderPaused, PushedBack } from "./pushback.ts";

/**
 * One limit on model calls in flight for the whole fleet, held in Redis: every call takes a
 * permit first and gives it back with what it learned (its latency, a 429, an error), and the
 * limit moves between `min` and `max` by the rule in limit-scripts.ts. A permit is a lease:
 * one that a killed process never gave back frees itself after `leaseMs`.
 */
export interface LimiterOptions {
  min: number;
  max: number;
  /** Where a fresh fleet starts its slow start (clamped to the bounds): the minimum, unless given. */
  initial?: number;
  /** Longer than any call can last (the breaker cuts a call at its timeout). */
  leaseMs: number;
  /** A provider's pause longer than this sends the job back to the queue instead of holding its worker. */
  maxPauseMs: number;
}

export type CallOutcome = "ok" | "error" | "unsent";

/** What a call that failed was, seen from the limit: "unsent" if it never reached the endpoint. */
export type Classify = (err: unknown) => CallOutcome;

/** How often a thread with calls waiting looks for a free permit, besides when one of its own comes back. */
const POLL_MS = 20;

/** The fleet's limit as Redis holds it now. */
export interface LimitSnapshot {
  limit: number;
  inFlight: number;
  min: number;
  max: number;
  /** Moving average of answered calls' latency, ms (null before the first). */
  latencyMs: number | null;
  bestLatencyMs: number | null;
  pausedUntil: number | null;
  pushbacks: number;
  errors: number;
}

interface Waiter {
  resolve: (id: string) => void;
  reject: (err: unknown) => void;
}

export class AiLimiter {
  private readonly waiters: Waiter[] = [];
  private pumping = false;
  private seq = 0;
  private wake: (() => void) | undefined;
  private readonly owner = `${process.pid}:${threadId}:${crypto.randomUUID().slice(0, 8)}`;

  constructor(
    private readonly opts: LimiterOptions,
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get initial(): number {
    return Math.max(this.opts.min, Math.min(this.opts.max, this.opts.initial ?? this.opts.min));
  }

  private get keys(): [string, string] {
    return [keyspace.aiLimit(this.prefix), keyspace.aiPermits(this.prefix)];
  }

  /**
   * Sends through the limit. A PushedBack from `send` (a 429) pauses every process until the
   * provider's reset, then the call is sent again: 429s are waited out, never spent as attempts.
   * `pausedBy` reads a successful answer for a reset the provider announced (nothing left).
   */
  async run<T>(send: () => Promise<T>, classify: Classify, pausedBy?: (result: T) => number | undefined): Promise<T> {
    for (;;) {
      const id = await this.acquire();
      const sentAt = Date.now();
      try {
        const result = await send();
        await this.release(id, "ok", Date.now() - sentAt, pausedBy?.(result) ?? 0);
        return result;
      } catch (err) {
        if (err instanceof PushedBack) {
          await this.release(id, "pushback", Date.now() - sentAt, err.until);
          continue;
        }
        await this.release(id, classify(err), Date.now() - sentAt, 0);
        throw err;
      }
    }
  }

  async snapshot(): Promise<LimitSnapshot> {
    const [k1, k2] = this.keys;
    const now = Date.now();
    const [h, inFlight] = await Promise.all([this.redis.hgetall(k1), this.redis.zcount(k2, now, "+inf")]);
    const min = Number(h.min ?? this.opts.min);
    const max = Math.max(min, Number(h.max ?? this.opts.max));
    const paused = Number(h.pausedUntil ?? 0);
    return {
      limit: Math.floor(Math.max(min, Math.min(max, Number(h.limit ?? this.initial)))),
      inFlight,
      min,
      max,
      latencyMs: h.latency ? Math.round(Number(h.latency)) : null,
      bestLatencyMs: h.best ? Math.round(Number(h.best)) : null,
      pausedUntil: paused > now ? paused : null,
      pushbacks: Number(h.pushbacks ?? 0),
      errors: Number(h.errors ?? 0),
    };
  }

  /** An operator's bounds for the whole fleet (PUT /admin/limits), kept until changed; null: back to the configured ones. */
  async setBounds(bounds: { min: number; max: number } | null): Promise<void> {
    const [k1] = this.keys;
    if (bounds === null) await this.redis.hdel(k1, "min", "max");
    else await this.redis.hset(k1, "min", bounds.min, "max", bounds.max);
  }

  private acquire(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      void this.pump();
    });
  }

  /** One loop per thread asks Redis for as many permits as it has calls waiting. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length > 0) {
        const base = `${this.owner}:${++this.seq}`;
        const now = Date.now();
        let granted: number;
        let pausedUntil: number;
        try {
          const [k1, k2] = this.keys;
          [granted, pausedUntil] = (await this.redis.eval(ACQUIRE, 2, k1, k2, now, this.waiters.length, now + this.opts.leaseMs, base, this.opts.min, this.opts.max, this.initial)) as [number, number];
        } catch (err) {
          for (const w of this.waiters.splice(0)) w.reject(err);
          return;
        }
        for (let i = 1; i <= granted; i++) this.waiters.shift()!.resolve(`${base}:${i}`);
        if (pausedUntil > now + this.opts.maxPauseMs) {
          for (const w of this.waiters.splice(0)) w.reject(new ProviderPaused(pausedUntil));
        } else if (pausedUntil > 0) {
          // Spread the restart a little so that the whole fleet does not send in the same millisecond.
          await Bun.sleep(pausedUntil - now + Math.random() * 100);
        } else if (this.waiters.length > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, POLL_MS + Math.random() * POLL_MS);
            function done() {
              clearTimeout(timer);
              resolve();
            }
            this.wake = done;
          });
          this.wake = undefined;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async release(id: string, outcome: CallOutcome | "pushback", latencyMs: number, pauseUntil: number): Promise<void> {
    const [k1, k2] = this.keys;
    try {
      await this.redis.eval(RELEASE, 2, k1, k2, Date.now(), id, outcome, latencyMs, this.opts.min, this.opts.max, pauseUntil, this.initial);
    } catch (err) {
      // The lease frees the permit in the end; the call's answer matters more than the limit's bookkeeping.
      log.warn({ err: (err as Error).message }, "could not return a model-call permit");
    }
    this.wake?.();
  }
}
