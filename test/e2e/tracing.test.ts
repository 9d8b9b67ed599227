/**
 * OpenTelemetry traces across two processes (a server and a worker process) into a local
 * OTLP/HTTP receiver: one trace per job, rooted at its upload request, every span parented
 * inside it, on both pipelines; the trace id in GET /jobs/:id and on the job's log lines.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { uploadFile, waitFinal } from "../support/client.ts";
import { fixture } from "../support/fixtures.ts";
import { startOpenAIStandIn, type StandIn } from "../support/openai-standin.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

let receiver: OtlpReceiver;
let standIn: StandIn;
let db: { url: string; drop: () => Promise<void> };
let hook: ReturnType<typeof Bun.serve>;
let server: ServiceProcess;
let workers: ServiceProcess;
const dataDir = mkdtempSync(join(tmpdir(), "folio-tracing-"));

beforeAll(async () => {
  receiver = startOtlpReceiver();
  standIn = startOpenAIStandIn();
  db = await freshDatabase("tracing");
  hook = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("ok") });
  const prefix = `{folio-test-tracing-${process.pid}-${Date.now()}}`;
  const env = {
    DATABASE_URL: db.url,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OPENAI_BASE_URL: standIn.url,
    FOLIO_MODEL: "stand-in-model",
    FOLIO_ALLOW_PRIVATE_URLS: "1", FOLIO_URL_ALLOWED_PORTS: "any",
  };
  workers = await startServiceProcess({ name: "tracing-workers", prefix, dataDir, env, workersOnly: true });
  server = await startServiceProcess({ name: "tracing-server", prefix, dataDir, env, args: ["--role", "server"] });
});
afterAll(async () => {
  for (const s of [server, workers]) await s?.stop();
  await hook?.stop(true);
  await standIn?.stop();
  await receiver?.stop();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function spansOf(traceId: string, names: string[]): Promise<ReceivedSpan[]> {
  for (let i = 0; i < 100; i++) {
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    if (names.every((n) => spans.some((s) => s.name === n))) return spans;
    await Bun.sleep(100);
  }
  const got = receiver.spans.filter((s) => s.traceId === traceId).map((s) => s.name);
  throw new Error(`trace ${traceId}: expected ${names.join(", ")}; got ${got.join(", ")}`);
}

/** One root, the upload request on the server; every other span's parent in the same trace. */
function checkTree(spans: ReceivedSpan[]) {
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !s.parentSpanId);
  expect(roots.map((r) => [r.name, r.kind, r.resource["process.pid"]])).toEqual([["POST /uploads", 2, server.proc.pid]]);
  for (const s of spans) if (s.parentSpanId) expect({ span: s.name, parentInTrace: ids.has(s.parentSpanId) }).toEqual({ span: s.name, parentInTrace: true });
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  return (name: string) => {
    const span = spans.find((s) => s.name === name)!;
    return { span, parent: span.parentSpanId ? byId.get(span.parentSpanId)?.name : undefined };
  };
}

test("the one-job path: upload → queue wait → process → download, extract, notes (a model call with its tokens), save → webhook", async () => {
  const up = await uploadFile(server.url, fixture("paper-bookmarks.pdf"), { pipeline: "optimized", callbackUrl: `http://127.0.0.1:${hook.port}/hook` });
  expect(up.status).toBe(202);
  const job = await waitFinal(server.url, up.body.jobId, 60_000);
  expect(job.status).toBe("completed");
  expect(job.traceId).toMatch(/^[0-9a-f]{32}$/);
  const spans = await spansOf(job.traceId, ["POST /uploads", "pdf-notes-optimized wait", "pdf-notes-optimized process", "download", "extract", "notes", "chat stand-in-model", "save", "webhook"]);
  const at = checkTree(spans);
  for (const n of ["pdf-notes-optimized wait", "pdf-notes-optimized process", "webhook"]) expect(at(n).parent).toBe("POST /uploads");
  for (const n of ["download", "extract", "notes", "save"]) expect(at(n).parent).toBe("pdf-notes-optimized process");
  expect(at("chat stand-in-model").parent).toBe("notes");
  expect(at("chat stand-in-model").span.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
  // Across processes: the request on the server, the work in the worker process.
  expect(at("pdf-notes-optimized process").span.resource["process.pid"]).toBe(workers.proc.pid);
  expect(at("pdf-notes-optimized process").span.resource["thread.name"]).toBe("pdf-notes-optimized");
  // The job's log lines in the worker process carry its trace id.
  const lines = (await Bun.file(workers.logFile).text()).split("\n").filter((l) => l.includes(up.body.jobId));
  expect(lines.length).toBeGreaterThan(0);
  for (const l of lines) expect(JSON.parse(l).traceId).toBe(job.traceId);
}, 90_000);

test("the staged path: one trace across pdf-extract, ai-notes and completion, each stage under its queue's span", async () => {
  const up = await uploadFile(server.url, fixture("slides.pdf"), { pipeline: "staged" });
  const job = await waitFinal(server.url, up.body.jobId, 60_000);
  expect(job.status).toBe("completed");
  const spans = await spansOf(job.traceId, ["POST /uploads", "pdf-extract wait", "pdf-extract process", "ai-notes process", "completion process", "extract", "notes", "chat stand-in-model", "save"]);
  const at = checkTree(spans);
  for (const n of ["pdf-extract wait", "pdf-extract process", "ai-notes process", "completion process"]) expect(at(n).parent).toBe("POST /uploads");
  expect(at("extract").parent).toBe("pdf-extract process");
  expect(at("notes").parent).toBe("ai-notes process");
  expect(at("save").parent).toBe("completion process");
  expect(new Set(["pdf-extract process", "ai-notes process", "completion process"].map((n) => at(n).span.resource["thread.name"]))).toEqual(new Set(["pdf-extract", "ai-notes", "completion"]));
  // A scan: OCR's span under extract.
  const scan = await waitFinal(server.url, (await uploadFile(server.url, fixture("scan-paper.pdf"), { pipeline: "staged" })).body.jobId, 90_000);
  expect(scan.status).toBe("completed");
  const ocr = checkTree(await spansOf(scan.traceId, ["extract", "ocr"]))("ocr");
  expect(ocr.parent).toBe("extract");
  expect(ocr.span.attributes["folio.ocr_pages"]).toBe(1);
  // Two uploads, two traces.
  expect(receiver.spans.filter((s) => s.name === "POST /uploads").map((s) => s.traceId)).toContain(job.traceId);
}, 90_000);

test("a caller's traceparent is continued only once it got in: a request without a valid key adds nothing to that trace", async () => {
  const KEY = "tracing-key-0123456789abcdef";
  const keyed = await startServiceProcess({
    name: "tracing-keys",
    args: ["--role", "server"],
    env: { DATABASE_URL: db.url, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, FOLIO_API_KEYS: `${KEY}:alice` },
  });
  try {
    const traceOf = (n: number) => `${n.toString(16).padStart(2, "0")}${"ab".repeat(15)}`;
    const ask = (trace: string, key?: string) =>
      fetch(`${keyed.url}/jobs/j_none`, { headers: { traceparent: `00-${trace}-00f067aa0ba902b7-01`, ...(key ? { authorization: `Bearer ${key}` } : {}) } });
    expect((await ask(traceOf(1))).status).toBe(401);
    expect((await ask(traceOf(2), "wrong-key-0123456789abcdef")).status).toBe(401);
    expect((await ask(traceOf(3), KEY)).status).toBe(404);
    // The authenticated request's span arrives; by then the refused ones would have too.
    expect((await spansOf(traceOf(3), ["GET /jobs/j_none"])).length).toBeGreaterThan(0);
    expect(receiver.spans.filter((s) => s.traceId === traceOf(1) || s.traceId === traceOf(2))).toEqual([]);
  } finally {
    await keyed.stop();
    keyed.cleanup();
  }
}, 60_000);
