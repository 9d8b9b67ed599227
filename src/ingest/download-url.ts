import { PipelineError } from "../errors/pipeline-error.ts";
import { hashingStream, UploadRejected } from "./upload-guard.ts";
import { pinnedFetch } from "./pinned-fetch.ts";
import { checkUrl, UrlRefused, type UrlPolicy } from "./url-policy.ts";
import { safeUrl } from "../redact.ts";

export interface DownloadOptions {
  policy: UrlPolicy;
  /** Per attempt: connecting, redirects and the whole body. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Further attempts after the first, for failures that may pass (5xx, 429, network, timeout). */
  retries: number;
  backoffMs: number;
  /** A download slower than this on average, once `minRateGraceMs` have passed, is cut (download_too_slow). */
  minBytesPerS: number;
  minRateGraceMs: number;
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void;
}

export interface Downloaded {
  sha256: string;
  size: number;
  finalUrl: string;
}

/**
 * Streams a PDF from a URL into `sink` (storage) while hashing it: redirects are followed
 * by hand so every hop passes the SSRF policy; the size limit and the PDF magic are
 * checked as bytes arrive; failures that may pass are retried with exponential backoff.
 */
export async function downloadUrl(url: string, opts: DownloadOptions, sink: (body: ReadableStream<Uint8Array>) => Promise<void>): Promise<Downloaded> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await downloadOnce(url, opts, sink);
    } catch (err) {
      const retryable = err instanceof PipelineError && err.retryable;
      if (!retryable || attempt >= opts.retries) throw err;
      await Bun.sleep(opts.backoffMs * 2 ** attempt);
    }
  }
}

async function downloadOnce(url: string, opts: DownloadOptions, sink: (body: ReadableStream<Uint8Array>) => Promise<void>): Promise<Downloaded> {
  // Cut at the attempt's time limit, or earlier by the watchdog in store() when it crawls.
  const tooSlow = new AbortController();
  const deadline = AbortSignal.any([AbortSignal.timeout(opts.timeoutMs), tooSlow.signal]);
  const timedOut = () =>
    tooSlow.signal.aborted
      ? new PipelineError("download_too_slow", `the download of ${safeUrl(url)} ran slower than ${opts.minBytesPerS} bytes/s`, true)
      : new PipelineError("download_timeout", `the download of ${safeUrl(url)} took longer than ${opts.timeoutMs} ms`, true);
  let current = url;
  for (let hop = 0; ; hop++) {
    const { url: target, address } = await checkUrl(current, opts.policy).catch((err: unknown) => {
      throw err instanceof UrlRefused ? new PipelineError(err.code, err.message) : err;
    });
    let res: Response;
    try {
      res = await pinnedFetch(target, address, { redirect: "manual", signal: deadline, headers: { accept: "application/pdf, */*;q=0.5", "user-agent": "Folio" } });
    } catch (err) {
      if (deadline.aborted) throw timedOut();
      // The socket's error names the address it tried: the log gets it, the user a coarse reason.
      throw new PipelineError("download_failed", `could not connect to ${safeUrl(target.href)}`, true, undefined, (err as Error).message);
    }
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel().catch(() => {});
      if (hop >= opts.maxRedirects) throw new PipelineError("too_many_redirects", `more than ${opts.maxRedirects} redirects starting at ${safeUrl(url)}`);
      current = new URL(location, target).href;
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      const passing = res.status >= 500 || res.status === 429 || res.status === 408;
      throw new PipelineError("url_http_error", `${safeUrl(target.href)} answered HTTP ${res.status}`, passing);
    }
    const declared = Number(res.headers.get("content-length") ?? Number.NaN);
    if (declared > opts.maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new PipelineError("file_too_large", `${safeUrl(target.href)} is ${declared} bytes, over the limit of ${opts.maxBytes}`);
    }
    if (!res.body) throw new PipelineError("empty_file", `${safeUrl(target.href)} sent an empty body`);
    const meta = await store(res.body, Number.isFinite(declared) ? declared : undefined, opts, deadline, sink, timedOut, () => tooSlow.abort());
    if (meta.size === 0) throw new PipelineError("empty_file", `${safeUrl(target.href)} sent an empty body`);
    return { ...meta, finalUrl: target.href };
  }
}

async function store(
  body: ReadableStream<Uint8Array>,
  total: number | undefined,
  opts: DownloadOptions,
  deadline: AbortSignal,
  sink: (body: ReadableStream<Uint8Array>) => Promise<void>,
  timedOut: () => PipelineError,
  cutTooSlow: () => void,
): Promise<{ sha256: string; size: number }> {
  let reportedAt = 0;
  let receivedBytes = 0;
  const started = Date.now();
  // A source that trickles (a byte a second keeps a connection "alive") would otherwise hold a slot until the timeout.
  const watchdog = setInterval(() => {
    const elapsed = Date.now() - started;
    if (elapsed >= opts.minRateGraceMs && (receivedBytes * 1000) / elapsed < opts.minBytesPerS) cutTooSlow();
  }, 250);
  const hashed = hashingStream(body, opts.maxBytes, deadline, (received) => {
    receivedBytes = received;
    // Progress at most every 250 ms: a fast download must not flood the status writer.
    if (opts.onProgress && Date.now() - reportedAt >= 250) {
      reportedAt = Date.now();
      opts.onProgress(received, total);
    }
  });
  try {
    await sink(hashed.stream);
    const meta = await hashed.result;
    opts.onProgress?.(meta.size, total);
    return { sha256: meta.sha256, size: meta.size };
  } catch (err) {
    const cut = err instanceof UploadRejected ? err : undefined;
    if (cut?.code === "file_too_large") throw new PipelineError("file_too_large", `the download is larger than ${opts.maxBytes} bytes`);
    if (cut?.code === "not_a_pdf") throw new PipelineError("not_a_pdf", "the URL does not serve a PDF (no %PDF- header)");
    if (cut?.code === "upload_timeout" || deadline.aborted) throw timedOut();
    throw new PipelineError("download_failed", `the download broke off: ${(err as Error).message}`, true);
  } finally {
    clearInterval(watchdog);
  }
}
