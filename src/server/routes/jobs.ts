import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { isFinal } from "../../../db/job-status.ts";
import type { JobsRepo } from "../../../db/jobs-repo.ts";
import { readJobText } from "../../storage/job-text.ts";
import type { Storage } from "../../storage/storage.ts";
import { jobView } from "../../views/job-view.ts";
import { HttpError } from "../http-error.ts";
import type { ConnectionSlots } from "../connection-slots.ts";
import type { JobEvents } from "../job-events.ts";
import type { AppEnv } from "../middleware/identity/index.ts";
import { errors, IdParam, JobText, JobView } from "../openapi/schemas.ts";
import { validationHook } from "../openapi/validation-hook.ts";

export interface JobRouteDeps {
  repo: JobsRepo;
  /** Where each job's text is kept (GET /jobs/:id/text). */
  storage: Storage;
  events: JobEvents;
  streams: ConnectionSlots;
  /** A `: keep-alive` comment this often, so idle timeouts never cut a quiet stream. */
  keepAliveMs: number;
  /**
   * Updates are pushed: the status writer announces what it wrote (Redis pub/sub) and the
   * stream reads the row then. This slow re-read only covers an announcement lost with a
   * Redis connection.
   */
  safetyPollMs?: number;
}

const params = IdParam("job", "j_4k2x9q0c1m8b7v6n5z3a");

const getJob = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["Jobs"],
  summary: "A job's status, progress, stage timings and error",
  request: { params },
  responses: { 200: { description: "The job", content: { "application/json": { schema: JobView } } }, ...errors(401, 404) },
});

const jobEvents = createRoute({
  method: "get",
  path: "/{id}/events",
  tags: ["Jobs"],
  summary: "Server-sent events: one `status` event (a Job) per change, until the job is final (or a `deleted` event, if it is deleted)",
  description:
    "Each event's id orders the job's states; reconnect with `Last-Event-ID` and only newer states are sent. A `: keep-alive` comment " +
    "comes every FOLIO_SSE_KEEPALIVE_MS while nothing changes. At most FOLIO_MAX_STREAMS_PER_USER open streams per user (429 `too_many_streams`).",
  request: { params },
  responses: {
    200: { description: "An event stream of `status` events whose data is a Job", content: { "text/event-stream": { schema: { type: "string" } } } },
    ...errors(401, 404),
  },
});

const jobText = createRoute({
  method: "get",
  path: "/{id}/text",
  tags: ["Jobs"],
  summary: "The text the job read from its PDF",
  description:
    "As `text/plain` (the default), pages separated by form feeds (\\f); with `Accept: application/json`, one entry per page with where its " +
    "text came from (`layer`: the PDF's text layer, `ocr`) and OCR's confidence. 404 `text_not_found` until the job has read its PDF, and for " +
    "a job whose notes came from the cache (upload with refresh=true to read it again).",
  request: { params },
  responses: {
    200: {
      description: "The job's text",
      content: { "application/json": { schema: JobText }, "text/plain": { schema: z.string() } },
    },
    ...errors(401, 404),
  },
});

export function jobRoutes(deps: JobRouteDeps) {
  const find = async (id: string, userId: string) => {
    const job = await deps.repo.getJob(id, userId);
    if (!job) throw new HttpError(404, "job_not_found", `no job ${id}`);
    return job;
  };
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(getJob, async (c) => c.json(jobView(await find(c.req.valid("param").id, c.get("userId"))), 200))
    .openapi(jobText, async (c) => {
      const job = await find(c.req.valid("param").id, c.get("userId"));
      const pages = await readJobText(deps.storage, job.id);
      if (!pages) throw new HttpError(404, "text_not_found", `job ${job.id} has no text of its own (not read yet, or its notes came from the cache)`);
      if ((c.req.header("accept") ?? "").includes("application/json")) return c.json({ jobId: job.id, pages }, 200);
      return c.text(pages.map((p) => p.text).join("\f"), 200);
    })
    .openapi(jobEvents, async (c) => {
      const userId = c.get("userId");
      const first = await find(c.req.valid("param").id, userId);
      const release = deps.streams.acquire(userId);
      // The id of the last state the client saw, on a reconnect: nothing older is sent again.
      let seen = Number(c.req.header("last-event-id") ?? "-1");
      return streamSSE(c, async (stream) => {
        let wake: () => void = () => {};
        const off = await deps.events.on(first.id, () => wake());
        const keepAlive = setInterval(() => void stream.write(": keep-alive\n\n").catch(() => {}), deps.keepAliveMs);
        let last = "";
        try {
          for (let job = first; ; ) {
            const view = jobView(job);
            const body = JSON.stringify(view);
            // The row's last write time orders its states; two writes in one millisecond still differ by body.
            const id = job.updatedAt.getTime();
            if (id > seen || (id === seen && last && body !== last)) {
              seen = id;
              last = body;
              await stream.writeSSE({ event: "status", data: body, id: String(id) });
            }
            if (isFinal(view.status) || stream.aborted) break;
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, deps.safetyPollMs ?? 30_000);
              stream.onAbort(r);
            });
            const next = await deps.repo.getJob(first.id, userId);
            if (!next) {
              // Deleted on request while followed: said once, then the stream ends (the id answers 404 from now on).
              await stream.writeSSE({ event: "deleted", data: JSON.stringify({ id: first.id }) });
              break;
            }
            job = next;
          }
        } finally {
          clearInterval(keepAlive);
          off();
          release();
        }
      });
    });
}
