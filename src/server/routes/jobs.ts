import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { JobsRepo } from "../../../db/jobs-repo.ts";
import { HttpError } from "../http-error.ts";
import type { JobEvents } from "../job-events.ts";
import { jobView } from "../job-view.ts";
import type { AppEnv } from "../middleware/identity/index.ts";

export interface JobRouteDeps {
  repo: JobsRepo;
  events: JobEvents;
  /** Re-read the row this often even without an announcement (a missed pub/sub message). */
  pollMs?: number;
}

const FINAL = new Set(["completed", "failed"]);

export function jobRoutes(deps: JobRouteDeps) {
  const find = async (id: string, userId: string) => {
    const job = await deps.repo.getJob(id, userId);
    if (!job) throw new HttpError(404, "job_not_found", `no job ${id}`);
    return job;
  };
  return new Hono<AppEnv>()
    .get("/:id", async (c) => c.json(jobView(await find(c.req.param("id"), c.get("userId")))))
    .get("/:id/events", async (c) => {
      const userId = c.get("userId");
      const first = await find(c.req.param("id"), userId);
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
