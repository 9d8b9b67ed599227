/** The fleet's limit on model calls: shared by processes, leased, adaptive, paused by a 429. */
import { afterAll, expect, test } from "bun:test";
import { Redis } from "ioredis";
import { loadConfig } from "../../src/config.ts";
import { createLimiter } from "../../src/notes/index.ts";
import { notesOptions } from "../../src/options.ts";
import { AiLimiter, type LimiterOptions } from "../../src/resilience/ai-limiter.ts";
import { chat, type ClientSettings } from "../support/limiter-client.ts";
import { startOpenAIStandIn, type StandIn } from "../support/openai-standin.ts";
import { spawnGuarded } from "../support/process-guard.ts";

const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
const standIns: StandIn[] = [];
afterAll(async () => {
  await Promise.all(standIns.map((s) => s.stop()));
  await redis.quit();
});
let n = 0;
const prefix = () => `{ai-limit-test-${process.pid}-${n++}}`;
const standIn = (knobs: Parameters<typeof startOpenAIStandIn>[0]) => {
  const s = startOpenAIStandIn(knobs);
  standIns.push(s);
  return s;
};
const options = (o: Partial<LimiterOptions> = {}): LimiterOptions => ({ min: 2, max: 64, leaseMs: 10_000, maxPauseMs: 30_000, ...o });

/** The other worker process: `calls` model calls at once through the same limit. */
function otherProcess(settings: ClientSettings) {
  return spawnGuarded(["bun", "test/support/limiter-client.ts"], { env: { ...process.env, LIMITER_CLIENT: JSON.stringify(settings) }, stdout: "pipe", stderr: "inherit" });
}
const runCalls = (limiter: AiLimiter, url: string, calls: number) => Promise.all(Array.from({ length: calls }, () => limiter.run(() => chat(url), () => "error")));

test("two processes together never have more calls in flight than the limit", async () => {
  const s = standIn({ latencyMs: 30 });
  const p = prefix();
  const limit = { min: 3, max: 3 };
  const other = otherProcess({ ...options(limit), prefix: p, url: s.url, calls: 40 });
  await runCalls(new AiLimiter(options(limit), redis, p), s.url, 40);
  expect(await other.exited).toBe(0);
  expect(s.calls.filter((c) => c.status === 200)).toHaveLength(80);
  expect(s.peakInFlight).toBe(3);
});

test("a SIGKILLed process's permits come back when their lease ends", async () => {
  const hanging = standIn({ hangRate: 1 });
  const p = prefix();
  const leaseMs = 1500;
  const other = otherProcess({ ...options({ min: 2, max: 2, leaseMs }), prefix: p, url: hanging.url, calls: 2 });
  while ((await redis.zcard(`${p}:ai-permits`)) < 2) await Bun.sleep(20);
  const leases = (await redis.zrange(`${p}:ai-permits`, "0", "-1", "WITHSCORES")).filter((_, i) => i % 2 === 1).map(Number);
  other.kill("SIGKILL");
  await other.exited;
  const s = standIn({ latencyMs: 0 });
  await runCalls(new AiLimiter(options({ min: 2, max: 2, leaseMs }), redis, p), s.url, 1);
  const sent = s.calls[0]!.arrivedAt;
  // Not before the dead process's leases ended (its permits were really held), and within one more lease.
  expect(sent).toBeGreaterThanOrEqual(Math.min(...leases));
  expect(sent - Math.max(...leases)).toBeLessThan(leaseMs);
});

test("the limit rises while latency stays near its best and falls when the provider slows down", async () => {
  const s = standIn({ capacity: { baseMs: 40, k: 12, m: 24, retryAfterS: 1 } });
  const p = prefix();
  const limiter = new AiLimiter(options({ initial: 2 }), redis, p);
  /** 30 callers without pause for `ms`; the limit as it was every 50 ms. */
  const busy = async (ms: number) => {
    const end = Date.now() + ms;
    const trace: number[] = [];
    const watch = setInterval(() => void limiter.snapshot().then((l) => trace.push(l.limit)), 50);
    await Promise.all(Array.from({ length: 30 }, async () => {
      while (Date.now() < end) await limiter.run(() => chat(s.url), () => "error");
    }));
    clearInterval(watch);
    return { peak: Math.max(...trace), last: (await limiter.snapshot()).limit };
  };
  // 3 s: slow start may overshoot the capacity once (one or two 429s) before it settles.
  const rising = await busy(3000);
  expect(rising.peak).toBeGreaterThanOrEqual(12);
  // Its calls found the provider's capacity without being refused much for it.
  expect(s.calls.filter((c) => c.status === 429).length).toBeLessThan(s.calls.length / 100);
  s.knobs.capacity = { baseMs: 40, k: 3, m: 24, retryAfterS: 1 };
  const falling = await busy(1500);
  expect(falling.last).toBeLessThan(rising.last / 2);
  expect(falling.last).toBeGreaterThanOrEqual(3);
}, 20_000);

test("a fresh fleet starts at the minimum and grows its limit 1.5× each round trip while latency holds (slow start)", async () => {
  // 100 ms: a busy machine's scheduling noise stays well under the 25 % that ends slow start.
  const s = standIn({ latencyMs: 100 });
  const limiter = new AiLimiter(options(), redis, prefix());
  expect((await limiter.snapshot()).limit).toBe(2);
  let answered = 0;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (answered < 100) await limiter.run(() => chat(s.url), () => "error").then(() => answered++);
  }));
  // Half a permit per answer: 2 + ~50. The gradient rule alone adds 1/√limit per answer, under 35 by now.
  expect((await limiter.snapshot()).limit).toBeGreaterThanOrEqual(44);
  expect(s.calls.filter((c) => c.status === 429)).toEqual([]);
});

test("a 429 with Retry-After stops every process until the reset, then both send again", async () => {
  const s = standIn({ latencyMs: 20, errorStatus: 429, retryAfterS: 1 });
  const p = prefix();
  const limit = { min: 2, max: 2 };
  const other = otherProcess({ ...options(limit), prefix: p, url: s.url, calls: 40 });
  while (s.calls.length < 4) await Bun.sleep(5);
  s.knobs.failNext = 1;
  await runCalls(new AiLimiter(options(limit), redis, p), s.url, 40);
  expect(await other.exited).toBe(0);
  const pushback = s.calls.find((c) => c.status === 429)!;
  const during = s.calls.filter((c) => c.arrivedAt > pushback.at + 50 && c.arrivedAt < pushback.at + 1000);
  expect(during).toEqual([]);
  // Every call was answered in the end: the 429 was waited out, not given up.
  expect(s.calls.filter((c) => c.status === 200)).toHaveLength(80);
  expect(s.calls.filter((c) => c.arrivedAt >= pushback.at + 1000).length).toBeGreaterThan(0);
});

test("after a 429 the fleet starts again from a quarter of the limit and stays under the limit that was refused", async () => {
  // A provider that refuses past 8 calls in flight and shows no slow-down before it: latency
  // never stops the limit's growth, only the refusal does.
  const s = standIn({ capacity: { baseMs: 50, k: 8, m: 8, retryAfterS: 1 } });
  const limiter = new AiLimiter(options(), redis, prefix());
  let answered = 0;
  await Promise.all(Array.from({ length: 30 }, async () => {
    while (answered < 400) await limiter.run(() => chat(s.url), () => "error").then(() => answered++);
  }));
  const refused = s.calls.filter((c) => c.status === 429);
  // Slow start ran into the refusal once; after that pause the fleet held below it.
  const pauseEnd = refused[0]!.at + 1000;
  expect(refused.filter((c) => c.arrivedAt >= pauseEnd)).toEqual([]);
  expect((await limiter.snapshot()).limit).toBe(8);
}, 30_000);

test("the adaptive limit is the optimized profile's default, off in the baseline unless asked for, and only with a model", () => {
  const ai = { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" };
  expect(createLimiter(notesOptions(loadConfig(ai)), redis)).toBeInstanceOf(AiLimiter);
  expect(createLimiter(notesOptions(loadConfig({ ...ai, FOLIO_AI_LIMIT: "off" })), redis)).toBeUndefined();
  expect(createLimiter(notesOptions(loadConfig({ ...ai, FOLIO_PROFILE: "baseline" })), redis)).toBeUndefined();
  expect(createLimiter(notesOptions(loadConfig({ ...ai, FOLIO_PROFILE: "baseline", FOLIO_AI_LIMIT: "adaptive" })), redis)).toBeInstanceOf(AiLimiter);
  expect(createLimiter(notesOptions(loadConfig({ FOLIO_AI_LIMIT: "adaptive" })), redis)).toBeUndefined();
});
