/** FOLIO_AI_TPM: one tokens-per-minute bucket for the fleet; calls wait on it instead of failing. */
import { afterAll, expect, test } from "bun:test";
import { Redis } from "ioredis";
import { TokenBucket, TokensExhausted } from "../../src/resilience/token-bucket.ts";

const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
afterAll(() => redis.quit());
let n = 0;
const key = () => `{tpm-test-${process.pid}-${n++}}:ai-tpm`;

test("a full bucket lets a minute's tokens through at once; past them, calls wait for the refill", async () => {
  const perMinute = 6000; // 100 tokens a second
  const k = key();
  // Two handles on one bucket: two processes.
  const [a, b] = [new TokenBucket(redis, k, perMinute, 30_000), new TokenBucket(redis, k, perMinute, 30_000)];
  const started = performance.now();
  await a.take(3000);
  await b.take(3000);
  const burst = performance.now() - started;
  await a.take(100);
  const waited = performance.now() - started - burst;
  // 100 tokens at 100 a second: about a second (refill began with the burst), far longer than the burst of 6,000 took.
  expect(waited).toBeGreaterThan(750);
  expect(waited).toBeGreaterThan(burst * 5);
});

test("the real usage is settled: a call that spent more than its estimate makes the next one wait longer", async () => {
  const k = key();
  const bucket = new TokenBucket(redis, k, 60_000, 30_000); // 1,000 tokens a second
  await bucket.take(60_000);
  await bucket.settle(0, 500); // the provider counted 500 more than was taken
  const started = performance.now();
  await bucket.take(500);
  // 500 owed + 500 asked = a second of refill; without the settling it would be half of one.
  expect(performance.now() - started).toBeGreaterThan(750);
});

test("a wait longer than a job should hold its worker sends the job back to the queue", async () => {
  const bucket = new TokenBucket(redis, key(), 600, 2_000); // 10 tokens a second
  await bucket.take(600);
  await expect(bucket.take(100)).rejects.toBeInstanceOf(TokensExhausted);
});

test("a call larger than the whole bucket goes when the bucket is full instead of waiting forever", async () => {
  const k = key();
  await new TokenBucket(redis, k, 1000, 30_000).take(5000);
  expect(Number(await redis.hget(k, "tokens"))).toBeLessThan(0);
});
