import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { downloadUrl, type DownloadOptions } from "../../src/ingest/download-url.ts";
import { PipelineError } from "../../src/errors/pipeline-error.ts";
import { sha256Hex } from "../../src/crypto/sha256.ts";
import { fixture } from "../support/fixtures.ts";

/** A real HTTP server on loopback playing every kind of source a user might point Folio at. */
let server: ReturnType<typeof Bun.serve>;
let base = "";
const hits = new Map<string, number>();
let pdf: Uint8Array<ArrayBuffer>;
/** Bun.serve sets Content-Length itself, so a server that declares a huge body speaks raw HTTP. */
let declaring: Bun.TCPSocketListener<undefined>;

beforeAll(async () => {
  pdf = new Uint8Array(await Bun.file(fixture("paper-bookmarks.pdf")).arrayBuffer());
  server = Bun.serve({
    port: 0,
    idleTimeout: 30,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const n = hits.get(path)!;
      if (path === "/paper.pdf") return new Response(pdf, { headers: { "content-type": "application/pdf" } });
      if (path === "/moved") return Response.redirect(`${base}/paper.pdf`, 302);
      if (path === "/loop-a") return Response.redirect(`${base}/loop-b`, 302);
      if (path === "/loop-b") return Response.redirect(`${base}/loop-a`, 302);
      if (path === "/flaky.pdf") return n <= 2 ? new Response("busy", { status: 503 }) : new Response(pdf);
      if (path === "/page.html") return new Response("<!doctype html><html>hello</html>", { headers: { "content-type": "text/html" } });
      if (path === "/slow.pdf") {
        // Dribbles a PDF header, then a byte every 200 ms: never done within the timeout.
        return new Response(
          new ReadableStream({
            async pull(controller) {
              controller.enqueue(new TextEncoder().encode("%PDF-1.4\n"));
              await Bun.sleep(200);
            },
          }),
        );
      }
      if (path === "/huge-chunked.pdf") {
        let sent = 0;
        return new Response(
          new ReadableStream({
            pull(controller) {
              controller.enqueue(sent === 0 ? pdf.slice(0, 1024) : new Uint8Array(64 * 1024));
              sent++;
              if (sent > 200) controller.close();
            },
          }),
        );
      }
      return new Response("no such file", { status: 404 });
    },
  });
  base = `http://127.0.0.1:${server.port}`;
  declaring = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket) {
        hits.set("/huge-declared.pdf", (hits.get("/huge-declared.pdf") ?? 0) + 1);
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/pdf\r\ncontent-length: ${10 * 1024 * 1024}\r\n\r\n%PDF-1.4\n`);
      },
    },
  });
});
afterAll(() => {
  server.stop(true);
  declaring.stop(true);
});

const opts = (over: Partial<DownloadOptions> = {}): DownloadOptions => ({
  policy: { allowPrivate: true, ports: "any" },
  timeoutMs: 2000,
  maxBytes: 1024 * 1024,
  maxRedirects: 5,
  retries: 2,
  backoffMs: 50,
  minBytesPerS: 0,
  minRateGraceMs: 5000,
  ...over,
});

/** Runs a download into memory; returns what was stored, or the failure code. */
async function run(path: string, over: Partial<DownloadOptions> = {}, origin = base) {
  hits.clear();
  const chunks: Uint8Array[] = [];
  let stored = 0;
  try {
    const got = await downloadUrl(`${origin}${path}`, opts(over), async (body) => {
      chunks.length = 0;
      for await (const c of body) {
        chunks.push(c);
        stored += c.byteLength;
      }
    });
    return { got, stored: Buffer.concat(chunks), hits: hits.get(path) ?? 0 };
  } catch (err) {
    if (!(err instanceof PipelineError)) throw err;
    return { code: err.code, message: err.message, hits: hits.get(path) ?? 0, storedBytes: stored };
  }
}

describe("downloadUrl", () => {
  test("streams the PDF into storage with its SHA-256, reporting progress", async () => {
    const progress: number[] = [];
    const r = await run("/paper.pdf", { onProgress: (received) => progress.push(received) });
    expect(r.got?.sha256).toBe(sha256Hex(pdf));
    expect(r.got?.size).toBe(pdf.byteLength);
    expect(Buffer.compare(r.stored!, Buffer.from(pdf))).toBe(0);
    expect(progress.at(-1)).toBe(pdf.byteLength);
  });

  test("follows redirects, and stops a redirect loop with a reason", async () => {
    const moved = await run("/moved");
    expect(moved.got?.finalUrl).toBe(`${base}/paper.pdf`);
    const loop = await run("/loop-a", { maxRedirects: 4 });
    expect(loop.code).toBe("too_many_redirects");
  });

  test("a 404 fails at once; a 503 is retried with backoff until it passes", async () => {
    const missing = await run("/missing.pdf");
    expect(missing).toMatchObject({ code: "url_http_error", hits: 1 });
    expect(missing.message).toContain("404");
    const started = performance.now();
    const flaky = await run("/flaky.pdf", { backoffMs: 100 });
    expect(flaky.got?.sha256).toBe(sha256Hex(pdf));
    expect(flaky.hits).toBe(3);
    // Two waits: 100 ms, then 200 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    const giveUp = await run("/flaky.pdf", { retries: 1 });
    expect(giveUp).toMatchObject({ code: "url_http_error", hits: 2 });
  });

  test("a server slower than the timeout fails as download_timeout after its retries", async () => {
    const started = performance.now();
    const slow = await run("/slow.pdf", { timeoutMs: 600, retries: 1 });
    expect(slow).toMatchObject({ code: "download_timeout", hits: 2 });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test("a source that trickles below the minimum rate is cut early as download_too_slow, not held until the timeout", async () => {
    const started = performance.now();
    const slow = await run("/slow.pdf", { timeoutMs: 20_000, retries: 0, minBytesPerS: 1000, minRateGraceMs: 500 });
    expect(slow).toMatchObject({ code: "download_too_slow", hits: 1 });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test("a body over the limit is refused: a declared one before reading, a chunked one at the limit", async () => {
    const declared = await run("/huge-declared.pdf", {}, `http://127.0.0.1:${declaring.port}`);
    expect(declared).toMatchObject({ code: "file_too_large", hits: 1, storedBytes: 0 });
    const chunked = await run("/huge-chunked.pdf");
    expect(chunked.code).toBe("file_too_large");
    expect(chunked.storedBytes).toBeLessThanOrEqual(1024 * 1024);
  });

  test("a page that is not a PDF is refused by its first bytes", async () => {
    expect((await run("/page.html")).code).toBe("not_a_pdf");
  });

  test("without FOLIO_ALLOW_PRIVATE_URLS the loopback server is never contacted", async () => {
    const r = await run("/paper.pdf", { policy: { allowPrivate: false, ports: "any" } });
    expect(r).toMatchObject({ code: "url_not_allowed", hits: 0 });
  });
});
