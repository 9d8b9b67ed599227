import { expect, test } from "bun:test";
import { durationMs, exhaustedUntil, pushbackUntil, retryAfterMs } from "../../src/resilience/pushback.ts";

test("OpenAI's reset durations read as ms; anything else is not a duration", () => {
  expect(durationMs("1s")).toBe(1000);
  expect(durationMs("6m0s")).toBe(360_000);
  expect(durationMs("20ms")).toBe(20);
  expect(durationMs("1h2m3.5s")).toBe(3_723_500);
  expect(durationMs("2")).toBe(2000);
  expect(durationMs("soon")).toBeUndefined();
  expect(durationMs("5s later")).toBeUndefined();
});

test("Retry-After in seconds or as an HTTP date", () => {
  const now = Date.parse("2026-12-05T07:00:00Z");
  expect(retryAfterMs("7", now)).toBe(7000);
  expect(retryAfterMs("Sat, 05 Dec 2026 07:00:30 GMT", now)).toBe(30_000);
  expect(retryAfterMs("0", now)).toBeUndefined();
  expect(retryAfterMs(undefined, now)).toBeUndefined();
});

test("a 429 pauses until Retry-After, else the latest exhausted reset, else a second", () => {
  const now = 1_000_000;
  expect(pushbackUntil({ "retry-after": "3" }, now)).toBe(now + 3000);
  const headers = { "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2s", "x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "6m0s" };
  expect(pushbackUntil(headers, now)).toBe(now + 360_000);
  expect(pushbackUntil({}, now)).toBe(now + 1000);
});

test("an answer pauses the fleet only when nothing is left", () => {
  const now = 1_000_000;
  expect(exhaustedUntil({ "x-ratelimit-remaining-requests": "12", "x-ratelimit-reset-requests": "1s" }, now)).toBeUndefined();
  expect(exhaustedUntil({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "250ms" }, now)).toBe(now + 250);
  expect(exhaustedUntil(undefined, now)).toBeUndefined();
});
