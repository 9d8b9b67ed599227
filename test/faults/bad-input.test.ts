/**
 * The bad-input battery over HTTP: hostile and broken uploads, PDFs that swell in memory,
 * and a few hundred seeded random mutations of real PDFs. Each gets a 4xx or a failed job
 * with a reason code, never a 5xx or a crash, and an upload right after still completes.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { fixtures, fixture } from "../support/fixtures.ts";
import { uploadFile, waitFinal } from "../support/client.ts";
import { fastRecoveryEnv } from "../support/load.ts";
import { emptyTextItemsPdf, flateBombPdf } from "../support/pdf-factory.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

const CEILING_MB = 256;
const THREADS = 2;
let svc: ServiceProcess;
let drop: () => Promise<void>;
beforeAll(async () => {
  const db = await freshDatabase("badinput");
  drop = db.drop;
  svc = await startServiceProcess({
    name: "bad-input",
    env: {
      DATABASE_URL: db.url,
      MAX_UPLOAD_MB: "8",
      FOLIO_JOB_ATTEMPTS: "2",
      FOLIO_EXTRACT_THREADS: String(THREADS),
      FOLIO_EXTRACT_MAX_RSS_MB: String(CEILING_MB),
      ...fastRecoveryEnv(),
    },
  });
});
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  await drop?.();
});

type Verdict = { status: number; code?: string; jobId?: string };

async function send(body: BodyInit, headers: Record<string, string> = {}, query = ""): Promise<Verdict> {
  const res = await fetch(`${svc.url}/uploads${query}`, { method: "POST", body, headers });
  const json = (await res.json().catch(() => ({}))) as any;
  return { status: res.status, code: json.error?.code, jobId: json.jobId };
}
const form = (parts: [string, Blob | string, string?][]) => {
  const f = new FormData();
  for (const [k, v, name] of parts) typeof v === "string" ? f.append(k, v) : f.append(k, v, name);
  return f;
};

/** A 4xx with a code, or an accepted job that ends failed with a code (or completed: some mutations stay readable). */
async function expectHandled(label: string, v: Verdict) {
  expect([label, v.status < 500]).toEqual([label, true]);
  if (v.status >= 400) {
    expect([label, typeof v.code]).toEqual([label, "string"]);
    return "refused";
  }
  const job = await waitFinal(svc.url, v.jobId!, 120_000);
  if (job.status === "failed") expect([label, typeof job.error?.code]).toEqual([label, "string"]);
  return job.status as string;
}

async function stillServes() {
  const up = await uploadFile(svc.url, fixture("paper-bookmarks.pdf"));
  expect(up.status === 202 || up.status === 200).toBe(true);
  expect((await waitFinal(svc.url, up.body.jobId)).status).toBe("completed");
}

test("hostile and broken uploads get clear answers", async () => {
  const pdf = Bun.file(fixture("paper-bookmarks.pdf"));
  const png = Bun.file(fixture("bad-png-renamed.pdf"));
  const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new Uint8Array(200)]);
  const boundary = "----folio-battery";
  const truncated = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 trunc`;
  const cases: [string, Promise<Verdict>, number | "job"][] = [
    ["0 bytes raw", send(new Uint8Array(0), { "content-type": "application/pdf" }), 400],
    ["1 byte raw", send(new Uint8Array([0x25]), { "content-type": "application/pdf" }), 415],
    ["PNG named .pdf", send(form([["file", png, "x.pdf"]])), 415],
    ["ZIP named .pdf", send(form([["file", new Blob([zip]), "x.pdf"]])), 415],
    ["text/plain body", send("hello", { "content-type": "text/plain" }), 415],
    ["JSON body without a url", send(JSON.stringify({ file: "x" }), { "content-type": "application/json" }), 400],
    ["JSON url to a private address", send(JSON.stringify({ url: "http://169.254.169.254/latest/meta-data/" }), { "content-type": "application/json" }), 400],
    ["JSON url with a file: scheme", send(JSON.stringify({ url: "file:///etc/passwd" }), { "content-type": "application/json" }), 400],
    // Refused before anything is connected to: ports outside 80/443, loopback in its disguises.
    ["JSON url to localhost:9", send(JSON.stringify({ url: "http://localhost:9/a.pdf" }), { "content-type": "application/json" }), 400],
    ["JSON url on port 25", send(JSON.stringify({ url: "http://mail.example.invalid:25/a.pdf" }), { "content-type": "application/json" }), 400],
    ["JSON url to IPv4-mapped loopback", send(JSON.stringify({ url: "http://[::ffff:127.0.0.1]:6379/" }), { "content-type": "application/json" }), 400],
    ["JSON url with credentials to a private host", send(JSON.stringify({ url: "http://u:p@10.0.0.1/a.pdf" }), { "content-type": "application/json" }), 400],
    ["callback to port 22", send(form([["file", pdf, "a.pdf"], ["callbackUrl", "http://hooks.example.invalid:22/x"]])), 400],
    ["malformed JSON", send("{\"url\": ", { "content-type": "application/json" }), 400],
    ["no content type", send(new Uint8Array([1, 2, 3])), 415],
    ["multipart with no file", send(form([["other", "x"]])), 400],
    ["multipart with two files", send(form([["file", pdf, "a.pdf"], ["file", pdf, "b.pdf"]])), 400],
    ["huge filename", send(form([["file", pdf, `${"n".repeat(10_000)}.pdf`]])), "job"],
    ["../../etc/passwd filename", send(form([["file", pdf, "../../etc/passwd"]])), "job"],
    ["body over the limit", send(new Uint8Array(9 * 1024 * 1024).fill(0x25), { "content-type": "application/pdf" }), 413],
    ["truncated multipart", send(truncated, { "content-type": `multipart/form-data; boundary=${boundary}` }), 400],
    ["bad pipeline", send(form([["file", pdf, "a.pdf"], ["pipeline", "warp"]])), 400],
  ];
  for (const entry of fixtures().filter((e) => e.expectOcr !== "notes")) {
    cases.push([entry.filename, send(form([["file", Bun.file(fixture(entry.filename)), entry.filename]])), /^4\d\d /.test(entry.expect) ? Number(entry.expect.slice(0, 3)) : "job"]);
  }
  for (const [label, pending, expected] of cases) {
    const v = await pending;
    if (expected === "job") expect([label, v.status === 202 || v.status === 200]).toEqual([label, true]);
    else expect([label, v.status]).toEqual([label, expected]);
    await expectHandled(label, v);
  }
  await stillServes();
}, 300_000);

test("PDFs that swell in memory (a Flate bomb, 20 M empty text operations) fail pdf_too_complex with the service's RSS bounded, and again at once on re-upload", async () => {
  const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${svc.proc.pid}/status`, "utf8"))![1]) / 1024;
  const hostile: [string, Uint8Array<ArrayBuffer>][] = [
    ["Flate bomb (800 KB → 800 MB)", flateBombPdf(800)],
    ["20 M empty text operations", emptyTextItemsPdf(20)],
  ];
  await stillServes();
  const before = rssMb();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 20);
  const first = await Promise.all(hostile.map(([label, bytes]) => send(bytes, { "content-type": "application/pdf" }, `?filename=${label.length}.pdf`)));
  const jobs = await Promise.all(first.map((v) => (expect(v.status).toBe(202), waitFinal(svc.url, v.jobId!, 120_000))));
  clearInterval(sampler);
  console.log(`FAULT swelling PDFs: service RSS ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB at peak (${THREADS} threads × ${CEILING_MB} MB ceiling)`);
  expect(jobs.map((j) => [j.status, j.error?.code])).toEqual(hostile.map(() => ["failed", "pdf_too_complex"]));
  // Each thread may be charged up to the ceiling; slack for the watch's 50 ms between looks.
  expect(peak - before).toBeLessThan(THREADS * CEILING_MB + 256);
  for (const [label, bytes] of hostile) {
    const t0 = performance.now();
    const again = await send(bytes, { "content-type": "application/pdf" }, `?filename=again-${label.length}.pdf`);
    const job = await waitFinal(svc.url, again.jobId!, 30_000);
    expect([label, job.status, job.error?.code, job.error?.message]).toEqual([label, "failed", "pdf_too_complex", expect.stringContaining("failed the same way before")]);
    expect(performance.now() - t0).toBeLessThan(5000);
  }
  await stillServes();
}, 300_000);

test("a few hundred seeded random mutations of real PDFs: never a 5xx, never a lost job", async () => {
  let seed = 20261128;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
  const sources = ["paper-bookmarks.pdf", "slides.pdf", "form.pdf", "encrypted-ownerpw.pdf", "paper-two-column.pdf"];
  const originals = await Promise.all(sources.map(async (f) => new Uint8Array(await Bun.file(fixture(f)).arrayBuffer())));
  const outcomes: Record<string, number> = {};
  const pending: Promise<void>[] = [];
  for (let i = 0; i < 300; i++) {
    const bytes = originals[i % originals.length]!.slice();
    const kind = i % 4;
    if (kind === 0) for (let k = 0; k < 1 + rand() * 50; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
    let body = bytes;
    if (kind === 1) body = bytes.slice(0, Math.max(5, Math.floor(rand() * bytes.length)));
    if (kind === 2) {
      const at = Math.floor(rand() * bytes.length);
      body = new Uint8Array([...bytes.slice(0, at), ...crypto.getRandomValues(new Uint8Array(Math.floor(rand() * 4096))), ...bytes.slice(at)]);
    }
    if (kind === 3) {
      const at = 5 + Math.floor(rand() * (bytes.length - 5));
      body = new Uint8Array([...bytes.slice(0, at), ...bytes.slice(Math.min(bytes.length, at + Math.floor(rand() * 20_000)))]);
    }
    const v = await send(body, { "content-type": "application/pdf" }, `?filename=m${i}.pdf&pipeline=${i % 2 ? "staged" : "optimized"}`);
    pending.push(
      expectHandled(`mutation ${i} (kind ${kind})`, v).then((o) => {
        outcomes[o] = (outcomes[o] ?? 0) + 1;
      }),
    );
  }
  await Promise.all(pending);
  console.log(`FAULT mutations: ${JSON.stringify(outcomes)}`);
  expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(300);
  await stillServes();
}, 600_000);
