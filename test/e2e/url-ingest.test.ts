/** POST /uploads with JSON {url}: a real service downloading from a real HTTP server on loopback. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sha256Hex } from "../../src/crypto/sha256.ts";
import { getJson, uploadFile, waitFinal } from "../support/client.ts";
import { fixture } from "../support/fixtures.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

let source: ReturnType<typeof Bun.serve>;
let origin = "";
const spans: { start: number; end: number }[] = [];
let svc: ServiceProcess;
let guarded: ServiceProcess;
let oneSlot: ServiceProcess;
const hits = new Map<string, number>();

beforeAll(async () => {
  const pdf = new Uint8Array(await Bun.file(fixture("paper-bookmarks.pdf")).arrayBuffer());
  // Over MAX_UPLOAD_MB=1: a PDF header and 2 MiB of padding.
  const big = new Uint8Array(2 * 1024 * 1024);
  big.set(pdf.subarray(0, 1024));
  source = Bun.serve({
    port: 0,
    idleTimeout: 30,
    fetch(req) {
      const path = new URL(req.url).pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (path === "/papers/cvs.pdf") return new Response(pdf, { headers: { "content-type": "application/pdf" } });
      if (path === "/go") return Response.redirect(`${origin}/papers/cvs.pdf`, 301);
      if (path === "/loop") return Response.redirect(`${origin}/loop`, 302);
      if (path === "/flaky.pdf") return (hits.get(path) ?? 0) <= 1 ? new Response("later", { status: 502 }) : new Response(pdf);
      if (path === "/big.pdf") return new Response(big);
      if (path === "/steady.pdf") {
        // About a second per download, in five pieces: long enough to see downloads overlap or not.
        const span = { start: Date.now(), end: 0 };
        spans.push(span);
        let piece = 0;
        return new Response(
          new ReadableStream({
            async pull(c) {
              if (piece === 5) {
                span.end = Date.now();
                return c.close();
              }
              c.enqueue(pdf.subarray((piece * pdf.length) / 5, ((piece + 1) * pdf.length) / 5));
              piece++;
              await Bun.sleep(200);
            },
          }),
        );
      }
      if (path === "/slow.pdf") {
        return new Response(
          new ReadableStream({
            async pull(c) {
              c.enqueue(new TextEncoder().encode("%PDF-1.4\n"));
              await Bun.sleep(300);
            },
          }),
        );
      }
      return new Response("not here", { status: 404 });
    },
  });
  origin = `http://127.0.0.1:${source.port}`;
  const env = {
    FOLIO_ALLOW_PRIVATE_URLS: "1", FOLIO_URL_ALLOWED_PORTS: "any",
    FOLIO_URL_TIMEOUT_MS: "1500",
    FOLIO_URL_RETRIES: "1",
    FOLIO_URL_BACKOFF_MS: "100",
    FOLIO_JOB_ATTEMPTS: "1",
    MAX_UPLOAD_MB: "1",
  };
  [svc, guarded, oneSlot] = await Promise.all([
    startServiceProcess({ name: "url-ingest", env }),
    startServiceProcess({ name: "url-ingest-guarded", env: { FOLIO_URL_TIMEOUT_MS: "1500", FOLIO_URL_ALLOWED_PORTS: "any" } }),
    startServiceProcess({ name: "url-ingest-one-slot", env: { FOLIO_ALLOW_PRIVATE_URLS: "1", FOLIO_URL_ALLOWED_PORTS: "any", FOLIO_URL_FETCHES_PER_USER: "1" } }),
  ]);
});
afterAll(async () => {
  await Promise.all([svc?.stop(), guarded?.stop(), oneSlot?.stop()]);
  oneSlot?.cleanup();
  svc?.cleanup();
  guarded?.cleanup();
  source?.stop(true);
});

const byUrl = async (base: string, body: Record<string, unknown>) => {
  const res = await fetch(`${base}/uploads`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
};

describe("uploads by URL", () => {
  test("a PDF by URL is downloaded, hashed like an upload, and turned into notes on either pipeline", async () => {
    const optimized = await byUrl(svc.url, { url: `${origin}/papers/cvs.pdf` });
    expect(optimized.status).toBe(202);
    expect(optimized.body).toMatchObject({ status: "queued", sha256: null, url: `${origin}/papers/cvs.pdf` });
    const job = await waitFinal(svc.url, optimized.body.jobId);
    expect(job).toMatchObject({ status: "completed", pages: 2, error: null });
    // The fetch's own time was recorded, and it is part of the job's life, not more.
    expect(typeof job.timings.downloadMs).toBe("number");
    expect(job.timings.downloadMs).toBeLessThanOrEqual(Date.parse(job.finishedAt) - Date.parse(job.createdAt));
    const notes = await getJson(`${svc.url}/notes/${job.notesId}`);
    expect(notes.body.sha256).toBe(sha256Hex(new Uint8Array(await Bun.file(fixture("paper-bookmarks.pdf")).arrayBuffer())));
    expect(notes.body.title.length).toBeGreaterThan(0);

    const staged = await byUrl(svc.url, { url: `${origin}/go`, pipeline: "staged" });
    expect((await waitFinal(svc.url, staged.body.jobId)).status).toBe("completed");
    // The same PDF uploaded as a file is now a cache hit: one hash for both ways in.
    const again = await uploadFile(svc.url, fixture("paper-bookmarks.pdf"));
    expect(again.body.cached).toBe(true);
  });

  test("a page range past the end of a PDF by URL fails its job naming the page count (the PDF is not there at upload)", async () => {
    const up = await byUrl(svc.url, { url: `${origin}/papers/cvs.pdf?range`, pages: "2-3" });
    expect(up.status).toBe(202);
    const job = await waitFinal(svc.url, up.body.jobId);
    expect(job).toMatchObject({ status: "failed", error: { code: "pages_out_of_range", message: "pages=2-3 goes past the end: the PDF has 2 pages" } });
  });

  test("credentials and signed query strings in URLs never reach the log", async () => {
    const secretUrl = `http://reader:pw-s3cr3t@127.0.0.1:${source.port}/papers/cvs.pdf?X-Amz-Signature=sig-s3cr3t`;
    const failing = `http://reader:pw-s3cr3t@127.0.0.1:${source.port}/nothing.pdf?token=tok-s3cr3t`;
    for (const url of [secretUrl, failing]) {
      const up = await byUrl(svc.url, { url, callbackUrl: `http://hook:hk-s3cr3t@127.0.0.1:9/h?sig=s3cr3t` });
      await waitFinal(svc.url, up.body.jobId);
    }
    await Bun.sleep(300);
    const logged = (await Bun.file(svc.logFile).text()) + (await Bun.file(`${svc.logFile}.err`).text());
    expect(logged).toContain(`http://127.0.0.1:${source.port}/papers/cvs.pdf`);
    expect(logged).not.toContain("s3cr3t");
  });

  test("one user's downloads run at most FOLIO_URL_FETCHES_PER_USER at a time; the others wait without spending attempts", async () => {
    spans.length = 0;
    const ups = await Promise.all([1, 2, 3].map((i) => byUrl(oneSlot.url, { url: `${origin}/steady.pdf?n=${i}` })));
    const finals = await Promise.all(ups.map((u) => waitFinal(oneSlot.url, u.body.jobId, 60_000)));
    expect(finals.map((f) => f.status)).toEqual(["completed", "completed", "completed"]);
    expect(finals.map((f) => f.attempts)).toEqual([1, 1, 1]);
    const byStart = [...spans].sort((a, b) => a.start - b.start);
    expect(byStart).toHaveLength(3);
    for (let i = 1; i < byStart.length; i++) expect(byStart[i]!.start).toBeGreaterThanOrEqual(byStart[i - 1]!.end);
  }, 90_000);

  test("a source that fails once (502) is retried and the job completes", async () => {
    hits.delete("/flaky.pdf");
    const up = await byUrl(svc.url, { url: `${origin}/flaky.pdf` });
    expect((await waitFinal(svc.url, up.body.jobId)).status).toBe("completed");
    expect(hits.get("/flaky.pdf")).toBe(2);
  });

  test("404, redirect loop, slow server and an over-limit body each fail the job with its reason", async () => {
    const cases = [
      ["/nothing.pdf", "url_http_error"],
      ["/loop", "too_many_redirects"],
      ["/slow.pdf", "download_timeout"],
      ["/big.pdf", "file_too_large"],
    ] as const;
    const ups = await Promise.all(cases.map(([path]) => byUrl(svc.url, { url: `${origin}${path}` })));
    for (const up of ups) expect(up.status).toBe(202);
    const finals = await Promise.all(ups.map((u) => waitFinal(svc.url, u.body.jobId)));
    expect(finals.map((j) => [j.status, j.error?.code])).toEqual(cases.map(([, code]) => ["failed", code]));
    expect(finals[2].error.message).toContain("1500 ms");
    // The server carries on.
    const ok = await byUrl(svc.url, { url: `${origin}/papers/cvs.pdf` });
    expect((await waitFinal(svc.url, ok.body.jobId)).status).toBe("completed");
  });

  test("bad URLs are refused at once with a JSON error", async () => {
    for (const [url, code] of [
      ["ftp://example.com/a.pdf", "invalid_url"],
      ["http://8.8.8.8/%E0%A4%A.pdf", "invalid_url"],
      ["file:///etc/passwd", "invalid_url"],
      ["", "invalid_url"],
    ] as const) {
      const res = await byUrl(svc.url, { url });
      expect([res.status, res.body.error.code]).toEqual([400, code]);
    }
    const noUrl = await byUrl(svc.url, { pipeline: "staged" });
    expect([noUrl.status, noUrl.body.error.code]).toEqual([400, "invalid_url"]);
    const badJson = await fetch(`${svc.url}/uploads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as any).error.code).toMatch(/^invalid_/);
  });

  test("without FOLIO_ALLOW_PRIVATE_URLS, loopback and private addresses are refused (SSRF)", async () => {
    for (const url of [`${origin}/papers/cvs.pdf`, "http://169.254.169.254/latest/meta-data/", "http://localhost:6379/", "http://10.0.0.8/a.pdf"]) {
      const res = await byUrl(guarded.url, { url });
      expect([res.status, res.body.error.code]).toEqual([400, "url_not_allowed"]);
      // The refusal maps nothing: not the address a name resolved to.
      if (url.includes("localhost")) expect(res.body.error.message).not.toMatch(/127\.0\.0\.1|::1/);
    }
    expect(hits.get("/papers/cvs.pdf")).toBeGreaterThan(0);
    const before = hits.get("/papers/cvs.pdf");
    await byUrl(guarded.url, { url: `${origin}/papers/cvs.pdf` });
    expect(hits.get("/papers/cvs.pdf")).toBe(before);
  });
});
