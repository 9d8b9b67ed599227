import { afterAll, describe, expect, test } from "bun:test";
import { extractPdf } from "../../src/extraction/extract.ts";
import { aiGenerator, type AiOptions } from "../../src/notes/ai.ts";
import { NotesSchema } from "../../src/notes/schema.ts";
import { AiBreaker, BreakerOpen } from "../../src/resilience/ai-breaker.ts";
import { AiLimiter } from "../../src/resilience/ai-limiter.ts";
import { ProviderPaused } from "../../src/resilience/pushback.ts";
import { TokenBucket } from "../../src/resilience/token-bucket.ts";
import { fixture } from "../support/fixtures.ts";
import { startOpenAIStandIn } from "../support/openai-standin.ts";
import { Redis } from "ioredis";

const standIn = startOpenAIStandIn();
afterAll(() => standIn.stop());
const doc = async (f: string) =>
  extractPdf(new Uint8Array(await Bun.file(fixture(f)).arrayBuffer()), { maxPages: 5000, minTextChars: 50 });
const opts = (o: Partial<AiOptions> = {}): AiOptions => ({
  baseURL: standIn.url,
  apiKey: "test",
  model: "stand-in-model",
  api: "chat",
  chunkTokens: 6000,
  maxChunks: 24,
  parallel: 3,
  ...o,
});
// The breaker's state lives in Redis (one for the fleet): each test gets a key of its own.
const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
afterAll(() => redis.quit());
let breakers = 0;
const breaker = (o: Partial<ConstructorParameters<typeof AiBreaker>[0]> = {}) =>
  new AiBreaker({ failures: 5, halfOpenAfterMs: 60_000, timeoutMs: 5_000, ...o }, redis, `{ai-test-${process.pid}-${breakers++}}:ai-breaker`);
const reset = () => {
  standIn.calls.length = 0;
  Object.assign(standIn.knobs, { errorRate: 0, hangRate: 0, malformedRate: 0, failNext: 0, latencyMs: 0 });
};

describe("AI notes through the stand-in", () => {
  for (const api of ["chat", "responses"] as const) {
    test(`${api} endpoint: schema-valid notes with model and token usage`, async () => {
      reset();
      const notes = await aiGenerator(opts({ api, chunkTokens: 20_000 }), breaker()).generate(await doc("paper-bookmarks.pdf"));
      expect(NotesSchema.safeParse(notes).success).toBe(true);
      expect(notes).toMatchObject({ generator: "ai", model: "stand-in-model" });
      expect(notes.usage!.inputTokens).toBeGreaterThan(1000);
      expect(notes.usage!.outputTokens).toBeGreaterThan(10);
      expect(standIn.calls.map((c) => c.path)).toEqual([api === "chat" ? "/v1/chat/completions" : "/v1/responses"]);
    });
  }

  test("a 120-page manual is chunked, summarised in parallel and merged", async () => {
    reset();
    const manual = await doc("manual-long.pdf");
    const notes = await aiGenerator(opts({ chunkTokens: 3000, maxChunks: 12 }), breaker()).generate(manual);
    expect(standIn.calls).toHaveLength(13);
    expect(notes.outline.length).toBeGreaterThan(10);
    expect(notes.usage!.inputTokens).toBeGreaterThan(12 * 3000 * 0.75);
  });

  test("an answer that fails the schema is retried once, then the job fails with ai_invalid_output", async () => {
    reset();
    standIn.knobs.malformedRate = 1;
    await expect(aiGenerator(opts(), breaker()).generate(await doc("slides.pdf"))).rejects.toMatchObject({
      code: "ai_invalid_output",
      retryable: false,
    });
    expect(standIn.calls).toHaveLength(2);
  });

  test("a 429 carries the provider's Retry-After, and the breaker does not count it as a failure", async () => {
    reset();
    Object.assign(standIn.knobs, { failNext: 1, errorStatus: 429, retryAfterS: 7 });
    const b = breaker();
    await expect(aiGenerator(opts(), b).generate(await doc("slides.pdf"))).rejects.toMatchObject({
      code: "ai_unavailable",
      retryable: true,
      retryAfterMs: 7000,
    });
    expect((await b.refresh()).consecutiveFailures).toBe(0);
    standIn.knobs.errorStatus = 500;
  });

  test("with the fleet's limit, a 429 is waited out (Retry-After) and sent again: the notes come, the breaker counts no failure", async () => {
    reset();
    Object.assign(standIn.knobs, { failNext: 1, errorStatus: 429, retryAfterS: 1 });
    const b = breaker();
    const limiter = new AiLimiter({ min: 2, max: 8, leaseMs: 10_000, maxPauseMs: 30_000 }, redis, `{ai-test-${process.pid}-limit}`);
    const notes = await aiGenerator(opts(), b, { limiter }).generate(await doc("slides.pdf"));
    expect(notes.generator).toBe("ai");
    const [refused, answered] = standIn.calls;
    expect([refused!.status, answered!.status]).toEqual([429, 200]);
    expect(answered!.arrivedAt - refused!.at).toBeGreaterThanOrEqual(1000);
    expect(b.state().consecutiveFailures).toBe(0);
    expect((await limiter.snapshot()).pushbacks).toBe(1);
    standIn.knobs.errorStatus = 500;
  });

  test("FOLIO_AI_TPM: a call takes its estimate from the fleet's bucket and settles it against the usage the provider reported", async () => {
    reset();
    const key = `{ai-test-${process.pid}-tpm}:ai-tpm`;
    const tokens = new TokenBucket(redis, key, 60_000, 30_000); // refills 1 token a ms
    const started = performance.now();
    const notes = await aiGenerator(opts(), breaker(), { tokens }).generate(await doc("slides.pdf"));
    const elapsed = performance.now() - started;
    const spent = 60_000 - Number(await redis.hget(key, "tokens"));
    const used = notes.usage!.inputTokens + notes.usage!.outputTokens;
    expect(spent).toBeLessThanOrEqual(used);
    expect(spent).toBeGreaterThanOrEqual(used - elapsed - 1);
    await redis.del(key);
  });

  test("a provider pause longer than a job should hold its worker sends the job back to the queue (ProviderPaused)", async () => {
    reset();
    Object.assign(standIn.knobs, { failNext: 1, errorStatus: 429, retryAfterS: 60 });
    const limiter = new AiLimiter({ min: 2, max: 8, leaseMs: 10_000, maxPauseMs: 5_000 }, redis, `{ai-test-${process.pid}-paused}`);
    await expect(aiGenerator(opts(), breaker(), { limiter }).generate(await doc("slides.pdf"))).rejects.toBeInstanceOf(ProviderPaused);
    expect(standIn.calls).toHaveLength(1);
    standIn.knobs.errorStatus = 500;
  });
});

describe("circuit breaker", () => {
  test("5 failures open it, calls while open are not sent, a probe after the reset time closes it", async () => {
    reset();
    const b = breaker({ halfOpenAfterMs: 400 });
    const gen = aiGenerator(opts(), b);
    const input = await doc("slides.pdf");
    standIn.knobs.errorRate = 1;
    for (let i = 0; i < 5; i++) await expect(gen.generate(input)).rejects.toMatchObject({ code: "ai_unavailable" });
    expect(b.state()).toMatchObject({ state: "open", consecutiveFailures: 5 });
    const sent = standIn.calls.length;
    await expect(gen.generate(input)).rejects.toBeInstanceOf(BreakerOpen);
    expect(standIn.calls.length).toBe(sent);
    standIn.knobs.errorRate = 0;
    await Bun.sleep(450);
    const notes = await gen.generate(input);
    expect(notes.generator).toBe("ai");
    expect(b.state()).toMatchObject({ state: "closed", consecutiveFailures: 0 });
    expect(b.state().lastChange).not.toBeNull();
  });

  test("FOLIO_BREAKER=off: every call is sent, however many failed before", async () => {
    reset();
    const gen = aiGenerator(opts(), breaker({ enabled: false }));
    const input = await doc("slides.pdf");
    standIn.knobs.errorRate = 1;
    for (let i = 0; i < 8; i++) await expect(gen.generate(input)).rejects.toMatchObject({ code: "ai_unavailable" });
    expect(standIn.calls.length).toBeGreaterThanOrEqual(8);
    standIn.knobs.errorRate = 0;
    expect((await gen.generate(input)).generator).toBe("ai");
  });

  test("a call sent before the breaker opened does not close it by succeeding late", async () => {
    const key = `{ai-test-${process.pid}-late}:ai-breaker`;
    const b = new AiBreaker({ failures: 2, halfOpenAfterMs: 5_000, timeoutMs: 5_000 }, redis, key);
    const late = b.call(() => Bun.sleep(200).then(() => "late answer"));
    const fail = () => Promise.reject(new Error("model down"));
    for (let i = 0; i < 2; i++) await expect(b.call(fail)).rejects.toThrow("model down");
    expect(await b.refresh()).toMatchObject({ state: "open" });
    expect(await late).toBe("late answer");
    expect(await b.refresh()).toMatchObject({ state: "open", consecutiveFailures: 2 });
    await redis.del(key);
  });

  test("two handles on one shared breaker (two processes): failures add up, and while open only one probe goes out", async () => {
    reset();
    const key = `{ai-test-${process.pid}-shared}:ai-breaker`;
    const opts = { failures: 4, halfOpenAfterMs: 300, timeoutMs: 5_000 };
    const [a, b] = [new AiBreaker(opts, redis, key), new AiBreaker(opts, redis, key)];
    const fail = () => Promise.reject(new Error("model down"));
    for (const h of [a, b, a, b]) await expect(h.call(fail)).rejects.toThrow("model down");
    expect(await b.refresh()).toMatchObject({ state: "open", consecutiveFailures: 4 });
    let sent = 0;
    const count = () => (sent++, Promise.reject(new Error("still down")));
    await expect(a.call(count)).rejects.toBeInstanceOf(BreakerOpen);
    await expect(b.call(count)).rejects.toBeInstanceOf(BreakerOpen);
    expect(sent).toBe(0);
    await halfOpen(b);
    // Half-open: of many callers across both handles, exactly one is the probe.
    const results = await Promise.allSettled([a, b, a, b, a, b].map((h) => h.call(count)));
    expect(sent).toBe(1);
    expect(results.filter((r) => r.status === "rejected" && r.reason instanceof BreakerOpen)).toHaveLength(5);
    await halfOpen(a);
    expect(await a.call(async () => "back")).toBe("back");
    expect(await b.refresh()).toMatchObject({ state: "closed", consecutiveFailures: 0 });
  });

  test("half the calls failing, never five in a row, opens it by its failure rate over the window; a steady 8 % does not", async () => {
    const key = `{ai-test-${process.pid}-rate}:ai-breaker`;
    const b = new AiBreaker({ failures: 5, window: 20, failureRate: 0.5, halfOpenAfterMs: 5_000, timeoutMs: 5_000 }, redis, key);
    const ok = async () => "ok";
    const fail = () => Promise.reject(new Error("model down"));
    // Failure, failure, success: two in a row at most, 2 of 3 failed.
    const calls = () => Array.from({ length: 30 }, (_, i) => (i % 3 === 2 ? ok : fail));
    let sentBeforeOpen = 0;
    for (const call of calls()) {
      if ((await b.refresh()).state !== "closed") break;
      sentBeforeOpen++;
      await b.call(call).catch(() => undefined);
    }
    expect(await b.refresh()).toMatchObject({ state: "open" });
    expect(b.state().consecutiveFailures).toBeLessThan(5);
    // It opened when the window first held 20 calls, not before (the rate needs a full window).
    expect(sentBeforeOpen).toBe(20);
    await redis.del(key);

    const steady = new AiBreaker({ failures: 5, window: 20, failureRate: 0.5, halfOpenAfterMs: 5_000, timeoutMs: 5_000 }, redis, key);
    for (let i = 0; i < 100; i++) await steady.call(i % 12 === 0 ? fail : ok).catch(() => undefined);
    expect(await steady.refresh()).toMatchObject({ state: "closed" });
    await redis.del(key);
  });

  test("a hung call is cut at the timeout and counts as a failure", async () => {
    reset();
    standIn.knobs.hangRate = 1;
    const b = breaker({ timeoutMs: 300 });
    const started = performance.now();
    await expect(aiGenerator(opts(), b).generate(await doc("slides.pdf"))).rejects.toMatchObject({
      code: "ai_unavailable",
      message: expect.stringContaining("timed out after 300 ms"),
    });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(b.state().consecutiveFailures).toBe(1);
  });
});

/** Waits for the shared breaker's open period to end, as read from Redis (not a sleep racing its timer). */
async function halfOpen(handle: AiBreaker): Promise<void> {
  while ((await handle.refresh()).state !== "half-open") await Bun.sleep(10);
}
