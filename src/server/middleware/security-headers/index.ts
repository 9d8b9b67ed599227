import { createMiddleware } from "hono/factory";

/** Our own dashboard: scripts from this origin only (its code is a file, not inline). */
const STRICT = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";
/** Third-party UIs served from node_modules (Scalar, Bull Board) write inline scripts and styles; nothing may leave the origin. */
const VENDOR_UI = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'";
const ALWAYS = "frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/**
 * Headers on every answer: no MIME sniffing, no framing (clickjacking), no referrer; HTML
 * pages get a Content-Security-Policy that keeps them from loading or sending anything
 * beyond this service. JSON answers get `default-src 'none'`.
 */
export const securityHeaders = () =>
  createMiddleware(async (c, next) => {
    await next();
    const path = new URL(c.req.url).pathname;
    const html = (c.res.headers.get("content-type") ?? "").includes("text/html");
    const policy = !html ? "default-src 'none'" : path.startsWith("/dashboard") ? STRICT : VENDOR_UI;
    c.res.headers.set("content-security-policy", `${policy}; ${ALWAYS}`);
    c.res.headers.set("x-content-type-options", "nosniff");
    c.res.headers.set("x-frame-options", "DENY");
    c.res.headers.set("referrer-policy", "no-referrer");
  });
