import type { MiddlewareHandler } from "hono";
import { contextOf, inSpan, SpanKind, tracingOn } from "../../../tracing/tracing.ts";

/** Probes and scrapes would be most of the spans and tell nothing. */
const UNTRACED = new Set(["/health", "/ready", "/metrics"]);

/**
 * A server span per request (with tracing on), the child of the caller's `traceparent` if
 * it sent one. An upload's span is the root of its job's trace.
 */
export function requestSpans(): MiddlewareHandler {
  return async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (!tracingOn() || UNTRACED.has(path)) return next();
    const traceparent = c.req.header("traceparent");
    // Ids in paths (/jobs/j_…) would make every span name unique.
    const name = `${c.req.method} ${path.replace(/\/[a-z]_[a-z0-9]{20}\b/g, "/:id")}`;
    await inSpan(name, { kind: SpanKind.SERVER, parent: traceparent ? contextOf({ traceparent, tracestate: c.req.header("tracestate") }) : undefined, attributes: { "http.request.method": c.req.method, "url.path": path } }, async (span) => {
      await next();
      span.setAttribute("http.response.status_code", c.res.status);
    });
  };
}
