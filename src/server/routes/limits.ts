import { tuningChoice } from "../../options.ts";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { Queue } from "bullmq";
import type { Config } from "../../config.ts";
import type { LiveLimits } from "../../queues/live-limits.ts";
import { LimitsChangeSchema as Change, LimitsSchema as Limits, type Limits as LimitsView } from "../../queues/limits-schema.ts";
import { QUEUE_NAMES, type QueueName } from "../../jobs/pipelines.ts";
import { queueTuning } from "../../queues/worker-options.ts";
import type { AiLimiter } from "../../resilience/ai-limiter.ts";
import { HttpError } from "../http-error.ts";
import type { AppEnv } from "../middleware/identity/index.ts";
import { errors } from "../openapi/schemas.ts";
import { validationHook } from "../openapi/validation-hook.ts";
import { adminOnly } from "./monitoring.ts";

const read = createRoute({
  method: "get",
  path: "/",
  tags: ["Limits"],
  summary: "Per queue: configured and stored concurrency, BullMQ's global concurrency and rate limit, what each process runs with; the model calls' adaptive limit (admin)",
  middleware: [adminOnly] as const,
  responses: { 200: { description: "The limits", content: { "application/json": { schema: Limits } } }, ...errors(401, 403) },
});

const change = createRoute({
  method: "put",
  path: "/",
  tags: ["Limits"],
  summary: "Change limits while the fleet runs (admin): every worker process applies them within 2 s, a restarted one starts from them",
  description:
    "Only what the body names changes; null puts a setting back to its configured value (or removes a global limit). " +
    "Per-process concurrency is kept in Redis and followed by every worker; global concurrency and rate limits are BullMQ's (`setGlobalConcurrency`, `setGlobalRateLimit`).",
  middleware: [adminOnly] as const,
  request: { body: { required: true, content: { "application/json": { schema: Change } } } },
  responses: { 200: { description: "The limits after the change", content: { "application/json": { schema: Limits } } }, ...errors(400, 401, 403) },
});

export interface LimitsDeps {
  cfg: Config;
  queues: () => Queue[];
  live: LiveLimits;
  /** The fleet's limit on model calls, when FOLIO_AI_LIMIT=adaptive. */
  model?: AiLimiter;
}

async function view({ cfg, queues, live, model }: LimitsDeps): Promise<LimitsView> {
  const [stored, running] = await Promise.all([live.stored(), live.running()]);
  const byName = new Map(queues().map((q) => [q.name, q]));
  const rows = await Promise.all(
    QUEUE_NAMES.map(async (queue: QueueName) => {
      const q = byName.get(queue);
      const [globalConcurrency, rate] = q ? await Promise.all([q.getGlobalConcurrency(), q.getGlobalRateLimit()]) : [null, null];
      const tuning = queueTuning(tuningChoice(cfg), queue);
      return {
        queue,
        configured: { concurrency: tuning.concurrency, limiterMax: tuning.limiterMax },
        concurrency: stored[queue] ?? null,
        globalConcurrency,
        globalRateLimit: rate ? { max: rate.max, durationMs: rate.duration } : null,
        processes: running.filter((r) => r.queue === queue).map(({ process, concurrency }) => ({ process, concurrency })),
      };
    }),
  );
  const snap = model ? await model.snapshot() : undefined;
  return {
    queues: rows,
    model: snap
      ? { mode: "adaptive", ...snap, pausedUntil: snap.pausedUntil ? new Date(snap.pausedUntil).toISOString() : null }
      : { mode: "off", limit: null, inFlight: null, min: null, max: null, latencyMs: null, bestLatencyMs: null, pausedUntil: null, pushbacks: 0, errors: 0 },
  };
}

/** /admin/limits: see and change the fleet's limits while it runs. */
export function limitsRoutes(deps: LimitsDeps) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(read, async (c) => c.json(await view(deps), 200))
    .openapi(change, async (c) => {
      const body = c.req.valid("json");
      if (body.model && body.model.min > body.model.max) throw new HttpError(400, "invalid_request", "model.min is more than model.max");
      if (body.model !== undefined && !deps.model) throw new HttpError(400, "invalid_request", "model calls have no adaptive limit here (FOLIO_AI_LIMIT=off, or no model configured)");
      const byName = new Map(deps.queues().map((q) => [q.name, q]));
      for (const [name, change] of Object.entries(body.queues ?? {})) {
        const queue = name as QueueName;
        const q = byName.get(queue);
        if (change.concurrency !== undefined) await deps.live.setConcurrency(queue, change.concurrency);
        if (change.globalConcurrency !== undefined && q) {
          await (change.globalConcurrency === null ? q.removeGlobalConcurrency() : q.setGlobalConcurrency(change.globalConcurrency));
        }
        if (change.globalRateLimit !== undefined && q) {
          await (change.globalRateLimit === null ? q.removeGlobalRateLimit() : q.setGlobalRateLimit(change.globalRateLimit.max, change.globalRateLimit.durationMs));
        }
      }
      if (body.model !== undefined) await deps.model!.setBounds(body.model);
      return c.json(await view(deps), 200);
    });
}
