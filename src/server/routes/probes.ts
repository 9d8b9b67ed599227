import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import ipaddr from "ipaddr.js";
import { log } from "../../log.ts";
import { redactSecrets } from "../../redact.ts";
import { ErrorBody } from "../openapi/schemas.ts";

/** A dependency /ready checks, by name: the answer names a failing one, never its error text. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<unknown>;
}

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["Service"],
  summary: "Liveness: the process answers",
  security: [],
  responses: { 200: { description: "Alive", content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } } } },
});

const ready = createRoute({
  method: "get",
  path: "/ready",
  tags: ["Service"],
  summary: "Readiness: Redis and the database answer and migrations are applied",
  security: [],
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: z.object({ status: z.literal("ready") }) } } },
    503: { description: "A dependency is down", content: { "application/json": { schema: ErrorBody } } },
  },
});

/**
 * A Host a DNS-rebinding page cannot send: an address, or localhost. Rebinding needs a name
 * the attacker controls; a scraper that reaches a worker by its address sends that address.
 */
function scrapeHost(host: string | undefined): boolean {
  const name = (host ?? "").replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return name.toLowerCase() === "localhost" || ipaddr.isValid(name);
}

/**
 * GET /health and GET /ready: served by the HTTP server, and by worker processes on
 * FOLIO_WORKER_PORT, where `metrics` adds GET /metrics for Prometheus (the server's own
 * /metrics needs an admin key; a worker's port is the operator's, bound to HOST, and its
 * /metrics answers only to a Host that is an address or localhost).
 */
export function probeRoutes(readiness: ReadinessCheck[], metrics?: () => Promise<{ contentType: string; body: string }>) {
  const app = new OpenAPIHono();
  if (metrics) {
    app.get("/metrics", async (c) => {
      if (!scrapeHost(c.req.header("host"))) {
        return c.json({ error: { code: "host_not_allowed", message: "scrape a worker's /metrics by its address (or localhost), not by a name" } }, 403);
      }
      const { contentType, body } = await metrics();
      return c.text(body, 200, { "content-type": contentType });
    });
  }
  return app
    .openapi(health, (c) => c.json({ status: "ok" as const }, 200))
    .openapi(ready, async (c) => {
      const results = await Promise.allSettled(readiness.map((d) => d.check()));
      const down = readiness.filter((_, i) => results[i]!.status === "rejected");
      if (down.length === 0) return c.json({ status: "ready" as const }, 200);
      for (const [i, d] of readiness.entries()) {
        const r = results[i]!;
        if (r.status === "rejected") log.warn({ dependency: d.name, err: redactSecrets(String((r.reason as Error)?.message ?? r.reason)) }, "not ready");
      }
      return c.json({ error: { code: "not_ready", message: `not ready: ${down.map((d) => d.name).join(", ")}` } }, 503);
    });
}
