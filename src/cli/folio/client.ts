import { createParser } from "eventsource-parser";

/** A job as GET /jobs/:id shows it (the fields the CLI reads). */
export interface JobInfo {
  id: string;
  status: string;
  progress: number;
  pages: number | null;
  ocr?: { pages: number; pagesDone: number } | null;
  notesId: string | null;
  cached: boolean;
  error: { code: string; message: string } | null;
  timings: Record<string, number | null>;
  createdAt: string;
  finishedAt: string | null;
}

/** A deletion of all the caller's data, as its status URL shows it. */
export interface Deletion {
  id: string;
  status: "queued" | "running" | "completed" | "failed";
  progress: number;
  jobsDeleted: number | null;
}

/** GET /me/usage. */
export interface Usage {
  stored: { bytes: number; limit: number | null };
  uploadedToday: { bytes: number; limit: number | null; resetsAt: string };
}

/** What an upload may ask for beside its file. */
export interface UploadChoices {
  pipeline?: string;
  refresh?: boolean;
  ocr?: string;
  pages?: string;
}

export interface UploadInfo {
  jobId: string;
  status: string;
  cached: boolean;
  notesId?: string;
}

/** An answer of the API that is not 2xx, with its `{error: {code, message}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const FINAL = new Set(["completed", "failed"]);
/** A broken event stream is reopened this many times before the CLI falls back to polling. */
const STREAM_RECONNECTS = 5;
/** 429 and 503 say "later": wait as told (Retry-After), this many times at most. */
const BUSY_RETRIES = 8;

/** The Folio HTTP API as the CLI uses it: `--url` and `FOLIO_API_KEY`. */
export class FolioClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey?: string,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.apiKey ? { authorization: `Bearer ${this.apiKey}`, ...extra } : extra;
  }

  private async send(path: string, init: RequestInit = {}, body?: () => BodyInit): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(`${this.baseUrl}${path}`, { ...init, body: body?.(), headers: this.headers(init.headers as Record<string, string>) });
      } catch (err) {
        throw new ApiError(0, "unreachable", `cannot reach Folio at ${this.baseUrl}: ${(err as Error).message}`);
      }
      if ((res.status === 429 || res.status === 503) && attempt < BUSY_RETRIES) {
        await res.body?.cancel();
        await Bun.sleep(Math.min(Number(res.headers.get("retry-after") ?? "1") || 1, 30) * 1000);
        continue;
      }
      if (res.ok) return res;
      const text = await res.text();
      let error: { code?: string; message?: string } = {};
      try {
        error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
      } catch {}
      throw new ApiError(res.status, error.code ?? `http_${res.status}`, error.message ?? (text.slice(0, 200) || res.statusText));
    }
  }

  async json<T>(path: string, init?: RequestInit, body?: () => BodyInit): Promise<T> {
    return (await (await this.send(path, init, body)).json()) as T;
  }

  /** Streams the file as the request body, calling `onBytes` as it is read. */
  uploadFile(path: string, filename: string, opts: UploadChoices & { onBytes?: (sent: number) => void }): Promise<UploadInfo> {
    const query = new URLSearchParams({
      filename,
      ...(opts.pipeline ? { pipeline: opts.pipeline } : {}),
      ...(opts.refresh ? { refresh: "true" } : {}),
      ...(opts.ocr ? { ocr: opts.ocr } : {}),
      ...(opts.pages ? { pages: opts.pages } : {}),
    });
    const body = () => {
      let sent = 0;
      return Bun.file(path)
        .stream()
        .pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              sent += chunk.byteLength;
              opts.onBytes?.(sent);
              controller.enqueue(chunk);
            },
          }),
        );
    };
    return this.json<UploadInfo>(`/uploads?${query}`, { method: "POST", headers: { "content-type": "application/pdf" } }, body);
  }

  uploadUrl(url: string, opts: UploadChoices): Promise<UploadInfo> {
    return this.json<UploadInfo>("/uploads", { method: "POST", headers: { "content-type": "application/json" } }, () => JSON.stringify({ url, ...opts }));
  }

  job(id: string): Promise<JobInfo> {
    return this.json<JobInfo>(`/jobs/${encodeURIComponent(id)}`);
  }

  /**
   * Follows a job over SSE until it is final. A stream that breaks off is reopened with
   * `Last-Event-ID`, so only newer states come; after a few failed reopenings, polling.
   */
  async follow(id: string, onUpdate: (job: JobInfo) => void): Promise<JobInfo> {
    let last: JobInfo | undefined;
    let lastEventId: string | undefined;
    for (let reconnects = 0; reconnects < STREAM_RECONNECTS && !(last && FINAL.has(last.status)); reconnects++) {
      if (reconnects > 0) await Bun.sleep(500);
      try {
        const headers: Record<string, string> = { accept: "text/event-stream", ...(lastEventId ? { "last-event-id": lastEventId } : {}) };
        const res = await this.send(`/jobs/${encodeURIComponent(id)}/events`, { headers });
        const parser = createParser({
          onEvent: (e) => {
            if (e.event !== "status") return;
            lastEventId = e.id ?? lastEventId;
            last = JSON.parse(e.data) as JobInfo;
            onUpdate(last);
          },
        });
        const decoder = new TextDecoder();
        for await (const chunk of res.body!) {
          parser.feed(decoder.decode(chunk, { stream: true }));
          if (last && FINAL.has(last.status)) break;
        }
      } catch (err) {
        if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429) throw err;
      }
    }
    while (!last || !FINAL.has(last.status)) {
      await Bun.sleep(500);
      last = await this.job(id);
      onUpdate(last);
    }
    return last;
  }

  /** DELETE /jobs/:id (j_…) or /notes/:id (n_…). */
  async delete(id: string): Promise<void> {
    await this.send(`/${id.startsWith("n_") ? "notes" : "jobs"}/${encodeURIComponent(id)}`, { method: "DELETE" });
  }

  /** DELETE /me/data, then its status URL until it is done; `onProgress` hears each percentage. */
  async forgetMe(onProgress: (percent: number) => void): Promise<Deletion> {
    const { statusUrl } = await this.json<{ statusUrl: string }>("/me/data", { method: "DELETE" });
    for (;;) {
      const d = await this.json<Deletion>(statusUrl);
      onProgress(d.progress);
      if (d.status === "completed" || d.status === "failed") return d;
      await Bun.sleep(500);
    }
  }

  async notesMarkdown(notesId: string): Promise<string> {
    return (await this.send(`/notes/${encodeURIComponent(notesId)}?format=md`)).text();
  }
}
