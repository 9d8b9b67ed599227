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
const reset = () => Object.assign(standIn.knobs, { errorRate: 0, failNext: 0, hangRate: 0, malformedRate: 0, latencyMs: 0, errorStatus: 500 });

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
