import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { JobsRepo } from "../../../db/jobs-repo.ts";
import { jobView } from "../../views/job-view.ts";
import { HttpError } from "../http-error.ts";
import type { JobEvents } from "../job-events.ts";
import type { AppEnv } from "../middleware/identity/index.ts";
import { errors, IdParam, JobView } from "../openapi/schemas.ts";
import { validationHook } from "../openapi/validation-hook.ts";

export interface JobRouteDeps {
  repo: JobsRepo;
  events: JobEvents;
  /** Re-read the row this often even without an announcement (a missed pub/sub message). */
  pollMs?: number;
}

const FINAL = new Set(["completed", "failed"]);
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
  summary: "Server-sent events: one `status` event (a Job) per change, until the job is final",
  request: { params },
  responses: {
    200: { description: "An event stream of `status` events whose data is a Job", content: { "text/event-stream": { schema: { type: "string" } } } },
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
    .openapi(jobEvents, async (c) => {
      const userId = c.get("userId");
      const first = await find(c.req.valid("param").id, userId);
      return streamSSE(c, async (stream) => {
        let wake: () => void = () => {};
        const off = await deps.events.on(first.id, () => wake());
        let last = "";
        let eventId = 0;
        try {
          for (let job = first; ; ) {
            const view = jobView(job);
            const body = JSON.stringify(view);
            if (body !== last) {
              last = body;
              await stream.writeSSE({ event: "status", data: body, id: String(eventId++) });
            }
            if (FINAL.has(view.status) || stream.aborted) break;
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, deps.pollMs ?? 2000);
            });
            job = (await deps.repo.getJob(first.id, userId)) ?? job;
          }
        } finally {
          off();
        }
      });
    });
}
