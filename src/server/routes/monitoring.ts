import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { QueueMonitor } from "../../monitoring/queue-monitor.ts";
import { QUEUE_NAMES } from "../../jobs/pipelines.ts";
import { HttpError } from "../http-error.ts";
import type { AppEnv } from "../middleware/identity/index.ts";
import { ErrorBody, errors, PerformanceReport, QueueStats } from "../openapi/schemas.ts";
import { validationHook } from "../openapi/validation-hook.ts";

/** Monitoring is for operators: an admin key once API keys are configured. */
export const adminOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.get("admin")) throw new HttpError(403, "forbidden", "monitoring needs an admin API key");
  await next();
});

const report = createRoute({
  method: "get",
  path: "/report",
  tags: ["Monitoring"],
  summary: "Performance report: totals, cache hit rate, per-queue stats, alerts (admin)",
  middleware: [adminOnly] as const,
  responses: { 200: { description: "The report", content: { "application/json": { schema: PerformanceReport } } }, ...errors(401, 403) },
});

const queueStats = createRoute({
  method: "get",
  path: "/{queueName}",
  tags: ["Monitoring"],
  summary: "One queue's counts, rates, stage latency percentiles and alerts (admin)",
  middleware: [adminOnly] as const,
  request: { params: z.object({ queueName: z.string().openapi({ param: { name: "queueName", in: "path" }, example: "pdf-notes-optimized", description: QUEUE_NAMES.join(", ") }) }) },
  responses: {
    200: { description: "The queue's stats", content: { "application/json": { schema: QueueStats } } },
    404: { description: "No such queue", content: { "application/json": { schema: ErrorBody.extend({ queues: z.array(z.string()) }) } } },
    ...errors(401, 403),
  },
});

const metrics = createRoute({
  method: "get",
  path: "/",
  tags: ["Monitoring"],
  summary: "Prometheus metrics (admin)",
  middleware: [adminOnly] as const,
  responses: { 200: { description: "Prometheus text exposition", content: { "text/plain": { schema: z.string() } } }, ...errors(401, 403) },
});

export function monitoringRoutes(monitor: QueueMonitor) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(report, async (c) => c.json(await monitor.getPerformanceReport(), 200))
    .openapi(queueStats, async (c) => {
      const name = c.req.valid("param").queueName;
      const stats = await monitor.getDetailedStats(name);
      if (!stats) {
        const known = monitor.queueNames();
        return c.json({ error: { code: "queue_not_found", message: `no queue ${name}; known queues: ${known.join(", ")}` }, queues: known }, 404);
      }
      return c.json(stats, 200);
    });
}

export function metricsRoute(render: () => Promise<{ contentType: string; body: string }>) {
  return new OpenAPIHono<AppEnv>().openapi(metrics, async (c) => {
    const { contentType, body } = await render();
    return c.text(body, 200, { "content-type": contentType });
  });
}
