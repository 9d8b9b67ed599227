import { NotYet } from "../errors/pipeline-error.ts";

/**
 * A provider telling Folio to slow down: a 429, or a success whose `x-ratelimit-remaining-*`
 * says nothing is left until the reset. Not a failure of the endpoint: the breaker does not
 * count it, the limit shrinks, and every process waits until `until` before sending again.
 */
export class PushedBack extends Error {
  override name = "PushedBack";
  constructor(
    /** ms since the epoch at which the provider takes calls again. */
    readonly until: number,
    /** How long that was from when the answer came. */
    readonly afterMs = until - Date.now(),
  ) {
    super(`the model endpoint asked to slow down until ${new Date(until).toISOString()}`);
  }
}

/** The fleet waits longer than a job should hold its worker slot: the job goes back to the queue, its attempts untouched. */
export class ProviderPaused extends NotYet {
  override name = "ProviderPaused";
  constructor(until: number) {
    super(until, `the model endpoint asked every process to wait until ${new Date(until).toISOString()}`);
  }
}

/** A 429 without a Retry-After still pauses the fleet this long. */
export const DEFAULT_PAUSE_MS = 1000;

/** OpenAI's reset format ("1s", "6m0s", "20ms", "1h2m3.5s"); a bare number is seconds. */
export function durationMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== trimmed) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
}

/** Retry-After in seconds or as an HTTP date, as ms from now. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/**
 * When a response's headers say the account has no requests (or tokens) left: the latest of
 * their resets, as ms since the epoch; undefined while something remains.
 */
export function exhaustedUntil(headers: Record<string, string> | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  let until: number | undefined;
  for (const kind of ["requests", "tokens"]) {
    const remaining = headers[`x-ratelimit-remaining-${kind}`];
    if (remaining === undefined || Number(remaining) > 0) continue;
    const reset = durationMs(headers[`x-ratelimit-reset-${kind}`]) ?? DEFAULT_PAUSE_MS;
    until = Math.max(until ?? 0, now + reset);
  }
  return until;
}

/** How long a 429's headers ask for: Retry-After, else the rate-limit resets, else a second. */
export function pushbackUntil(headers: Record<string, string> | undefined, now = Date.now()): number {
  const after = retryAfterMs(headers?.["retry-after"], now);
  if (after !== undefined) return now + after;
  return exhaustedUntil(headers, now) ?? now + DEFAULT_PAUSE_MS;
}
