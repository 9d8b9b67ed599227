import { Scalar } from "@scalar/hono-api-reference";
import { Hono } from "hono";
import { resolve } from "node:path";

// Served from node_modules so /docs works on a machine without internet access.
const SCALAR = resolve(import.meta.dir, "../../../node_modules/@scalar/api-reference/dist/browser/standalone.js");

/** GET /docs: the interactive API reference (Scalar) over /openapi.json. */
export function docsRoutes() {
  return new Hono()
    .get("/scalar.js", (c) => c.body(Bun.file(SCALAR).stream(), 200, { "content-type": "text/javascript", "cache-control": "max-age=86400" }))
    .get("/", Scalar({
      url: "/openapi.json",
      cdn: "/docs/scalar.js",
      pageTitle: "Folio API",
      // Nothing on this page reaches beyond the service: no web fonts, no hosted AI or SDK tools.
      withDefaultFonts: false,
      agent: { disabled: true },
      mcp: { disabled: true },
      showDeveloperTools: "never",
    }));
}
