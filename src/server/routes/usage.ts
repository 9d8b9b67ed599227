import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/identity/index.ts";
import { errors } from "../openapi/schemas.ts";
import { validationHook } from "../openapi/validation-hook.ts";
import type { Quotas } from "../quotas.ts";

const Usage = z
  .object({
    stored: z.object({
      bytes: z.number().int().openapi({ description: "Bytes of the PDFs your jobs reference, each stored copy once" }),
      limit: z.number().int().nullable().openapi({ description: "FOLIO_QUOTA_BYTES; null: no limit" }),
    }),
    uploadedToday: z.object({
      bytes: z.number().int().openapi({ description: "Bytes uploaded since midnight UTC, cache hits included" }),
      limit: z.number().int().nullable().openapi({ description: "FOLIO_QUOTA_BYTES_PER_DAY; null: no limit" }),
      resetsAt: z.string().openapi({ example: "2026-12-06T00:00:00.000Z" }),
    }),
  })
  .openapi("Usage");

const route = createRoute({
  method: "get",
  path: "/usage",
  tags: ["Data"],
  summary: "What you store and uploaded today, against your quotas",
  responses: { 200: { description: "Your usage", content: { "application/json": { schema: Usage } } }, ...errors(401) },
});

export function usageRoutes(quotas: Quotas) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(route, async (c) => c.json(await quotas.usage(c.get("userId")), 200));
}
