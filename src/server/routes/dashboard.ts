import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { resolve } from "node:path";
import type { QueueMonitor } from "../../monitoring/queue-monitor.ts";
import type { AppEnv } from "../middleware/identity/index.ts";
import { adminOnly } from "./monitoring.ts";

const PAGE = resolve(import.meta.dir, "../dashboard/page.html");
const UPLOT = resolve(import.meta.dir, "../../../node_modules/uplot/dist");

/** GET /dashboard: one page of our own, fed by the performance report over SSE every `intervalMs`. */
export function dashboardRoutes(monitor: QueueMonitor, intervalMs = 2000) {
  return new Hono<AppEnv>()
    .use(adminOnly)
    .get("/", (c) => c.body(Bun.file(PAGE).stream(), 200, { "content-type": "text/html; charset=utf-8" }))
    .get("/uplot.js", (c) => c.body(Bun.file(`${UPLOT}/uPlot.iife.min.js`).stream(), 200, { "content-type": "text/javascript", "cache-control": "max-age=86400" }))
    .get("/uplot.css", (c) => c.body(Bun.file(`${UPLOT}/uPlot.min.css`).stream(), 200, { "content-type": "text/css", "cache-control": "max-age=86400" }))
    .get("/stream", (c) =>
      streamSSE(c, async (stream) => {
        while (!stream.aborted) {
          await stream.writeSSE({ event: "report", data: JSON.stringify(await monitor.getPerformanceReport()) });
          await stream.sleep(intervalMs);
        }
      }),
    );
}
