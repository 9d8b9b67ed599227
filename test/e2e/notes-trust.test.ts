/**
 * Notes a user can trust: the cache knows which generator wrote them (across restarts and
 * model outages), cache hits cost nothing, every token spent is counted, refresh asks again.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getJson, uploadFile, waitFinal } from "../support/client.ts";
import { fixture } from "../support/fixtures.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startOpenAIStandIn, type StandIn } from "../support/openai-standin.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

let standIn: StandIn;
const dirs: string[] = [];
const running: ServiceProcess[] = [];

beforeAll(() => {
  standIn = startOpenAIStandIn();
});
afterAll(async () => {
  for (const s of running) await s.stop();
  await standIn.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const model = () => ({ OPENAI_BASE_URL: standIn.url, OPENAI_API_KEY: "stand-in", FOLIO_MODEL: "stand-in-model" });
const reset = () => Object.assign(standIn.knobs, { errorRate: 0, failNext: 0, malformedNext: 0, tag: undefined });

/** One deployment (data dir and Redis prefix) that can be restarted with other settings. */
function deployment(name: string) {
  const dataDir = mkdtempSync(join(tmpdir(), `folio-${name}-`));
  dirs.push(dataDir);
  const prefix = `{folio-test-${name}-${process.pid}-${Date.now()}}`;
  return async <T>(env: Record<string, string>, use: (svc: ServiceProcess) => Promise<T>): Promise<T> => {
    const svc = await startServiceProcess({ name, dataDir, prefix, env });
    running.push(svc);
    try {
      return await use(svc);
    } finally {
      await svc.stop();
    }
  };
}

function formWith(file: string, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  form.append("file", Bun.file(fixture(file)), file);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

async function notesOf(svc: ServiceProcess, upload: { status: number; body: any }) {
  const job = upload.status === 200 ? upload.body : await waitFinal(svc.url, upload.body.jobId, 60_000);
  expect(job.status).toBe("completed");
  return (await getJson(`${svc.url}/notes/${job.notesId}`)).body;
}

test("a change of generator is a cache miss; changing back finds the first generator's notes", async () => {
  reset();
  const run = deployment("trust-restart");
  const paper = fixture("paper-bookmarks.pdf");
  const offline = await run({}, async (svc) => {
    const up = await uploadFile(svc.url, paper);
    expect(up.status).toBe(202);
    return notesOf(svc, up);
  });
  expect(offline).toMatchObject({ generator: "extractive", cached: false, usage: null });
  expect(offline.fingerprint).toMatch(/^[0-9a-f]{16}$/);

  standIn.calls.length = 0;
  const byModel = await run(model(), async (svc) => {
    const up = await uploadFile(svc.url, paper, { pipeline: "staged" });
    expect(up).toMatchObject({ status: 202, body: { cached: false } });
    const notes = await notesOf(svc, up);
    // The same PDF again, now by this generator: a hit, which spent nothing.
    const again = await uploadFile(svc.url, paper);
    expect(again).toMatchObject({ status: 200, body: { cached: true } });
    const hit = await notesOf(svc, again);
    expect(hit).toMatchObject({ generator: "ai", model: "stand-in-model", cached: true, usage: { inputTokens: 0, outputTokens: 0 }, fingerprint: notes.fingerprint });
    return notes;
  });
  expect(standIn.calls.length).toBeGreaterThanOrEqual(1);
  expect(byModel).toMatchObject({ generator: "ai", model: "stand-in-model", cached: false });
  expect(byModel.usage.inputTokens).toBeGreaterThan(0);
  expect(byModel.fingerprint).not.toBe(offline.fingerprint);

  const calls = standIn.calls.length;
  const back = await run({}, async (svc) => {
    const up = await uploadFile(svc.url, paper);
    expect(up).toMatchObject({ status: 200, body: { cached: true } });
    return notesOf(svc, up);
  });
  expect(back).toMatchObject({ generator: "extractive", cached: true, summary: offline.summary, fingerprint: offline.fingerprint });
  expect(standIn.calls.length).toBe(calls);
}, 180_000);

test("notes the fallback wrote during an outage are not served to the model afterwards", async () => {
  reset();
  const run = deployment("trust-fallback");
  await run({ ...model(), FOLIO_AI_FALLBACK: "extractive", FOLIO_BREAKER_FAILURES: "1", FOLIO_BREAKER_HALF_OPEN_MS: "1500", FOLIO_JOB_ATTEMPTS: "5" }, async (svc) => {
    standIn.knobs.errorRate = 1;
    const during = await notesOf(svc, await uploadFile(svc.url, fixture("slides.pdf")));
    expect(during.generator).toBe("extractive");
    standIn.knobs.errorRate = 0;
    await Bun.sleep(2000);
    const after = await uploadFile(svc.url, fixture("slides.pdf"));
    expect(after).toMatchObject({ status: 202, body: { cached: false } });
    expect(await notesOf(svc, after)).toMatchObject({ generator: "ai", cached: false });
  });
}, 120_000);

test("refresh=true makes the notes afresh and replaces the cached entry, on both pipelines", async () => {
  reset();
  const run = deployment("trust-refresh");
  await run(model(), async (svc) => {
    for (const [pipeline, file, how] of [["optimized", "form.pdf", "query"], ["staged", "cyrillic-ru.pdf", "field"]] as const) {
      standIn.knobs.tag = undefined;
      const first = await notesOf(svc, await uploadFile(svc.url, fixture(file), { pipeline }));
      expect(first.summary).not.toContain("(second run)");
      expect((await uploadFile(svc.url, fixture(file), { pipeline })).status).toBe(200);

      standIn.knobs.tag = "(second run)";
      const calls = standIn.calls.length;
      const form = formWith(file, { pipeline, ...(how === "field" && { refresh: "true" }) });
      const res = await fetch(`${svc.url}/uploads${how === "query" ? "?refresh=true" : ""}`, { method: "POST", body: form });
      const refreshed = { status: res.status, body: (await res.json()) as any };
      expect(refreshed).toMatchObject({ status: 202, body: { cached: false } });
      const fresh = await notesOf(svc, refreshed);
      expect(fresh).toMatchObject({ cached: false, generator: "ai" });
      expect(fresh.summary).toContain("(second run)");
      expect(standIn.calls.length).toBeGreaterThan(calls);

      const plain = await uploadFile(svc.url, fixture(file), { pipeline });
      expect(plain.status).toBe(200);
      expect((await notesOf(svc, plain)).summary).toBe(fresh.summary);
    }
  });
}, 120_000);

test("a refresh in one process drops the replaced notes from the other processes' L1", async () => {
  reset();
  const db = await freshDatabase("trust-fleet");
  const dataDir = mkdtempSync(join(tmpdir(), "folio-trust-fleet-"));
  dirs.push(dataDir);
  const prefix = `{folio-test-trust-fleet-${process.pid}-${Date.now()}}`;
  // An L1 entry lives an hour here: only the drop can make the server read L2 again.
  const env = { ...model(), DATABASE_URL: db.url, FOLIO_L1_TTL_S: "3600" };
  const workers = await startServiceProcess({ name: "trust-fleet-workers", workersOnly: true, prefix, dataDir, env });
  const server = await startServiceProcess({ name: "trust-fleet-server", args: ["--role", "server"], prefix, dataDir, env });
  running.push(workers, server);
  try {
    const first = await notesOf(server, await uploadFile(server.url, fixture("form.pdf")));
    // A plain upload is answered at the server from L2, which puts the notes in its L1.
    const warm = await uploadFile(server.url, fixture("form.pdf"));
    expect(warm).toMatchObject({ status: 200, body: { cached: true } });
    expect((await notesOf(server, warm)).summary).toBe(first.summary);

    standIn.knobs.tag = "(refreshed)";
    const refreshed = await fetch(`${server.url}/uploads?refresh=true`, { method: "POST", body: formWith("form.pdf") });
    const fresh = await notesOf(server, { status: refreshed.status, body: await refreshed.json() });
    expect(fresh.summary).toContain("(refreshed)");

    const plain = await uploadFile(server.url, fixture("form.pdf"));
    expect(plain).toMatchObject({ status: 200, body: { cached: true } });
    expect((await notesOf(server, plain)).summary).toBe(fresh.summary);
  } finally {
    await server.stop();
    await workers.stop();
    await db.drop();
  }
}, 120_000);

test("every token the model reported is counted by model, failed calls and schema retries included", async () => {
  reset();
  const run = deployment("trust-tokens");
  await run({ ...model(), FOLIO_BREAKER_FAILURES: "100", FOLIO_JOB_ATTEMPTS: "3" }, async (svc) => {
    standIn.calls.length = 0;
    // One failed call, then an answer that fails the schema (retried), then a good one.
    standIn.knobs.failNext = 1;
    const first = await notesOf(svc, await uploadFile(svc.url, fixture("slides.pdf")));
    standIn.knobs.malformedNext = 1;
    const second = await notesOf(svc, await uploadFile(svc.url, fixture("form.pdf")));
    expect((await notesOf(svc, await uploadFile(svc.url, fixture("form.pdf")))).usage).toEqual({ inputTokens: 0, outputTokens: 0 });

    expect(standIn.calls.map((c) => c.status)).toEqual([500, 200, 200, 200]);
    const input = standIn.calls.reduce((n, c) => n + c.inputTokens, 0);
    const output = standIn.calls.reduce((n, c) => n + c.outputTokens, 0);
    // The notes record what their own job spent: the schema retry is in the second job's usage.
    expect(first.usage.inputTokens + second.usage.inputTokens).toBe(input);
    let report: any;
    for (let i = 0; i < 50; i++) {
      report = (await getJson(`${svc.url}/jobs/monitoring/report`)).body;
      if (report.models?.["stand-in-model"]?.inputTokens === input) break;
      await Bun.sleep(100);
    }
    expect(report.models["stand-in-model"]).toEqual({ inputTokens: input, outputTokens: output, calls: { ok: 2, invalid_output: 1, error: 1 } });
    expect(report.tokens).toEqual({ input, output });
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toContain(`folio_ai_tokens_total{model="stand-in-model",kind="input"} ${input}`);
    expect(metrics).toContain(`folio_ai_calls_total{model="stand-in-model",outcome="invalid_output"} 1`);
  });
}, 120_000);
