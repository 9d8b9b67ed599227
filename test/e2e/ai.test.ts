/** The service with a model endpoint (the OpenAI stand-in): notes, outages, backoff, fallback. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { uploadFile, getJson, waitFinal } from "../support/client.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startOpenAIStandIn, type StandIn } from "../support/openai-standin.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";
import { fixture } from "../support/fixtures.ts";

let db: { url: string; drop: () => Promise<void> };
let standIn: StandIn;
const running: ServiceProcess[] = [];

beforeAll(async () => {
  db = await freshDatabase("ai");
  standIn = startOpenAIStandIn();
});
afterAll(async () => {
  for (const s of running) {
    await s.stop();
    s.cleanup();
  }
  await standIn.stop();
  await db.drop();
});

async function service(name: string, env: Record<string, string> = {}) {
  const svc = await startServiceProcess({
    name,
    env: { DATABASE_URL: db.url, OPENAI_BASE_URL: standIn.url, OPENAI_API_KEY: "stand-in", FOLIO_MODEL: "stand-in-model", FOLIO_CACHE: "off", ...env },
  });
  running.push(svc);
  return svc;
}
const reset = () => Object.assign(standIn.knobs, { errorRate: 0, failNext: 0, hangRate: 0, malformedRate: 0, latencyMs: 0, errorStatus: 500, errorMessage: undefined });

describe("notes by a model", () => {
  let svc: ServiceProcess;
  beforeAll(async () => {
    svc = await service("ai", { FOLIO_BREAKER_HALF_OPEN_MS: "3000" });
  });

  test("both pipelines produce notes through the stand-in, with model and usage recorded", async () => {
    reset();
    for (const pipeline of ["optimized", "staged"]) {
      const up = await uploadFile(svc.url, fixture("paper-bookmarks.pdf"), { pipeline });
      const job = await waitFinal(svc.url, up.body.jobId);
      expect(job.status).toBe("completed");
      const notes = (await getJson(`${svc.url}/notes/${job.notesId}`)).body;
      expect(notes).toMatchObject({ generator: "ai", model: "stand-in-model" });
      expect(notes.usage.inputTokens).toBeGreaterThan(0);
      expect(notes.keyPoints.length).toBeGreaterThan(0);
    }
  });

  test("an outage opens the breaker; jobs queued during it all complete after it", async () => {
    reset();
    standIn.knobs.errorRate = 1;
    const files = ["paper-bookmarks.pdf", "slides.pdf", "paper-two-column.pdf", "form.pdf"].map(fixture);
    const ups = [];
    for (let i = 0; i < 12; i++) ups.push(await uploadFile(svc.url, files[i % files.length]!, { pipeline: i % 3 ? "optimized" : "staged" }));
    await Bun.sleep(6_000);
    const sentDuringOutage = standIn.calls.filter((c) => c.status !== 200).length;
    // Far fewer calls than jobs × attempts: the open breaker held them back.
    expect(sentDuringOutage).toBeLessThan(12 * 3);
    const mid = await Promise.all(ups.map((u) => getJson(`${svc.url}/jobs/${u.body.jobId}`)));
    expect(mid.every((m) => m.body.status !== "failed")).toBe(true);
    standIn.knobs.errorRate = 0;
    const finals = await Promise.all(ups.map((u) => waitFinal(svc.url, u.body.jobId, 60_000)));
    expect(finals.map((f) => f.status)).toEqual(finals.map(() => "completed"));
  }, 90_000);
});

test("with FOLIO_AI_FALLBACK=extractive, jobs complete during an outage, marked extractive", async () => {
  reset();
  const svc = await service("ai-fallback", { FOLIO_AI_FALLBACK: "extractive", FOLIO_BREAKER_FAILURES: "2", FOLIO_JOB_ATTEMPTS: "5" });
  standIn.knobs.errorRate = 1;
  const ups = [];
  for (let i = 0; i < 6; i++) ups.push(await uploadFile(svc.url, fixture(i % 2 ? "paper-bookmarks.pdf" : "paper-two-column.pdf"), { pipeline: i % 2 ? "staged" : "optimized" }));
  const finals = await Promise.all(ups.map((u) => waitFinal(svc.url, u.body.jobId, 60_000)));
  expect(finals.every((f) => f.status === "completed")).toBe(true);
  const generators = await Promise.all(finals.map(async (f) => (await getJson(`${svc.url}/notes/${f.notesId}`)).body.generator));
  expect(generators).toContain("extractive");
  expect(generators.every((g) => g === "extractive" || g === "ai")).toBe(true);
}, 90_000);

// One model call per attempt (a one-chunk document); two failures, then success.
test.each([
  ["optimized", "pdf-notes-optimized", 1000],
  ["staged", "ai-notes", 2000],
] as const)("%s path: retries wait as the seed's backoff says for %s, min(%d·2^n, 60 s)", async (pipeline, _queue, base) => {
  reset();
  const svc = await service(`ai-backoff-${pipeline}`, { FOLIO_BREAKER_FAILURES: "100", FOLIO_JOB_ATTEMPTS: "3" });
  standIn.calls.length = 0;
  standIn.knobs.failNext = 2;
  const up = await uploadFile(svc.url, fixture("slides.pdf"), { pipeline });
  const job = await waitFinal(svc.url, up.body.jobId, 30_000);
  expect(job.status).toBe("completed");
  // The staged row shows the last stage's attempts (completion's first); the one-job path, its three.
  if (pipeline === "optimized") expect(job.attempts).toBe(3);
  expect(standIn.calls.map((c) => c.status)).toEqual([500, 500, 200]);
  const at = standIn.calls.map((c) => c.at);
  for (const [n, gap] of [at[1]! - at[0]!, at[2]! - at[1]!].entries()) {
    expect(gap).toBeGreaterThanOrEqual(base * 2 ** n);
    expect(gap).toBeLessThan(base * 2 ** n + 1500);
  }
}, 60_000);

describe("what the model costs, and what its errors say", () => {
  const ALICE = "alice-key-0123456789abcdef";
  const BOB = "bob-key-0123456789abcdef00";
  const CAROL = "carol-key-0123456789abcdef";
  const DAVE = "dave-key-0123456789abcdef0";
  let svc: ServiceProcess;
  beforeAll(async () => {
    svc = await service("ai-budget", {
      FOLIO_API_KEYS: `${ALICE}:alice,${BOB}:bob,${CAROL}:carol,${DAVE}:dave`,
      // One paper's notes cost more than this: the first upload spends the day's budget.
      FOLIO_USER_TOKENS_PER_DAY: "50",
      FOLIO_REFRESH_PER_MIN: "1",
      FOLIO_JOB_ATTEMPTS: "1",
      FOLIO_BREAKER_FAILURES: "100",
    });
  });
  async function upload(key: string, file: string, refresh = false) {
    const form = new FormData();
    form.append("file", Bun.file(fixture(file)), file);
    const res = await fetch(`${svc.url}/uploads${refresh ? "?refresh=true" : ""}`, { method: "POST", body: form, headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as any };
  }
  async function final(key: string, jobId: string) {
    for (;;) {
      const job = (await (await fetch(`${svc.url}/jobs/${jobId}`, { headers: { authorization: `Bearer ${key}` } })).json()) as any;
      if (job.status === "completed" || job.status === "failed") return job;
      await Bun.sleep(100);
    }
  }

  test("a provider's error text reaches the log, not the user: the job says which HTTP status the endpoint answered", async () => {
    reset();
    standIn.knobs.failNext = 1;
    standIn.knobs.errorMessage = "Rate limit reached for org-Secret7Hq on requests; key sk-live-abc123";
    const up = await upload(BOB, "slides.pdf");
    const job = await final(BOB, up.body.jobId);
    expect(job.error.code).toBe("ai_unavailable");
    expect(job.error.message).toBe("the model endpoint answered HTTP 500");
    expect(JSON.stringify(job)).not.toContain("Secret7Hq");
    // The row is written before the line is logged: give the log a moment to catch up.
    let log = "";
    for (let i = 0; i < 50 && !log.includes("Secret7Hq"); i++, await Bun.sleep(100)) log = await Bun.file(svc.logFile).text();
    expect(log).toContain("Secret7Hq");
  }, 60_000);

  test("refresh has its own, lower rate limit", async () => {
    reset();
    const first = await upload(CAROL, "form.pdf", true);
    expect(first.status).toBe(202);
    const second = await upload(CAROL, "form.pdf", true);
    expect([second.status, second.body.error.code]).toEqual([429, "refresh_rate_limited"]);
    expect(Number(second.retryAfter)).toBeGreaterThan(0);
    await final(CAROL, first.body.jobId);
  }, 60_000);

  test("a user past FOLIO_USER_TOKENS_PER_DAY gets 429 until midnight UTC; another user is not affected", async () => {
    reset();
    const spent = await upload(ALICE, "paper-bookmarks.pdf");
    expect((await final(ALICE, spent.body.jobId)).status).toBe("completed");
    const refused = await upload(ALICE, "slides.pdf");
    expect([refused.status, refused.body.error.code]).toEqual([429, "token_budget_exhausted"]);
    const untilMidnight = 86_400 - Math.floor((Date.now() % 86_400_000) / 1000);
    expect(Math.abs(Number(refused.retryAfter) - untilMidnight)).toBeLessThan(5);
    expect((await upload(DAVE, "paper-two-column.pdf")).status).toBe(202);
  }, 60_000);
});
