import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { resolve } from "node:path";
import type { QueueMonitor } from "../../monitoring/queue-monitor.ts";
import type { AppEnv } from "../middleware/identity/index.ts";
import { errors } from "../openapi/schemas.ts";
import type { ConnectionSlots } from "../connection-slots.ts";
import { adminOnly } from "./monitoring.ts";

const PAGE = resolve(import.meta.dir, "../dashboard/page.html");
const APP = resolve(import.meta.dir, "../dashboard/app.js");
const UPLOT = resolve(import.meta.dir, "../../../node_modules/uplot/dist");

const text = (path: string, summary: string, type: string) =>
  createRoute({
    method: "get",
    path,
    tags: ["Monitoring"],
    summary,
    middleware: [adminOnly] as const,
    responses: { 200: { description: summary, content: { [type]: { schema: { type: "string" } } } }, ...errors(401, 403) },
  });

/**
 * GET /dashboard: one page of our own, fed by the performance report over SSE every
 * `intervalMs`. Its streams count against the same per-user and per-process caps as job
 * event streams: each one is a report built every 2 s.
 */
export function dashboardRoutes(monitor: QueueMonitor, streams: ConnectionSlots, intervalMs = 2000) {
  return new OpenAPIHono<AppEnv>()
    .openapi(text("/", "The live dashboard page (admin)", "text/html"), (c) =>
      c.body(Bun.file(PAGE).stream(), 200, { "content-type": "text/html; charset=utf-8" }),
    )
    .openapi(text("/app.js", "The dashboard's code", "text/javascript"), (c) =>
      c.body(Bun.file(APP).stream(), 200, { "content-type": "text/javascript" }),
    )
    .openapi(text("/uplot.js", "The dashboard's chart library", "text/javascript"), (c) =>
      c.body(Bun.file(`${UPLOT}/uPlot.iife.min.js`).stream(), 200, { "content-type": "text/javascript", "cache-control": "max-age=86400" }),
    )
    .openapi(text("/uplot.css", "The dashboard's chart styles", "text/css"), (c) =>
      c.body(Bun.file(`${UPLOT}/uPlot.min.css`).stream(), 200, { "content-type": "text/css", "cache-control": "max-age=86400" }),
    )
    .openapi(text("/stream", "Server-sent `report` events (a PerformanceReport) every 2 s (admin; counts as an event stream)", "text/event-stream"), (c) => {
      const release = streams.acquire(c.get("userId"));
      return streamSSE(c, async (stream) => {
        try {
          while (!stream.aborted) {
            await stream.writeSSE({ event: "report", data: JSON.stringify(await monitor.getPerformanceReport()) });
            await stream.sleep(intervalMs);
          }
        } finally {
          release();
        }
      });
    });
}
