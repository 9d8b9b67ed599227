import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import type { QueueMonitor } from "../../monitoring/queue-monitor.ts";
import { HttpError } from "../http-error.ts";
import type { AppEnv } from "../middleware/identity/index.ts";

/** Monitoring is for operators: an admin key once API keys are configured. */
export const adminOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.get("admin")) throw new HttpError(403, "forbidden", "monitoring needs an admin API key");
  await next();
});

export function monitoringRoutes(monitor: QueueMonitor) {
  return new Hono<AppEnv>()
    .use(adminOnly)
    .get("/report", async (c) => c.json(await monitor.getPerformanceReport()))
    .get("/:queueName", async (c) => {
      const name = c.req.param("queueName");
      const stats = await monitor.getDetailedStats(name);
      if (!stats) {
        const known = monitor.queueNames();
        return c.json({ error: { code: "queue_not_found", message: `no queue ${name}; known queues: ${known.join(", ")}` }, queues: known }, 404);
      }
      return c.json(stats);
    });
}

export function metricsRoute(render: () => Promise<{ contentType: string; body: string }>) {
  return new Hono<AppEnv>().use(adminOnly).get("/", async (c) => {
    const { contentType, body } = await render();
    return c.body(body, 200, { "content-type": contentType });
  });
}
