import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { WebhooksRepo } from "../../../db/webhooks-repo.ts";
import { SIGNATURE_HEADER } from "../../webhooks/signature.ts";
import type { AppEnv } from "../middleware/identity/index.ts";
import { errors, WebhookSecret } from "../openapi/schemas.ts";

const SCHEME = "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, `${t}.${body}`)>[,v1=<the same with the previous secret, during its grace period>]";

const answer = { description: "The secret and how deliveries are signed", content: { "application/json": { schema: WebhookSecret } } };

const getSecret = createRoute({
  method: "get",
  path: "/secret",
  tags: ["Webhooks"],
  summary: "Your webhook signing secret (made on first use)",
  responses: { 200: answer, ...errors(401) },
});

const rotateSecret = createRoute({
  method: "post",
  path: "/secret/rotate",
  tags: ["Webhooks"],
  summary: "Replace your webhook signing secret; the old one stays valid (deliveries carry both signatures) for FOLIO_WEBHOOK_SECRET_GRACE_S",
  responses: { 200: answer, ...errors(401) },
});

const NO_STORE = { "cache-control": "no-store" };

export function webhookRoutes(repo: WebhooksRepo, graceS: number) {
  const view = (secret: string, previousValidUntil: Date | null = null) => ({ secret, header: SIGNATURE_HEADER, scheme: SCHEME, previousValidUntil: previousValidUntil?.toISOString() ?? null });
  // A secret in an answer: no browser, proxy or CDN may keep a copy.
  return new OpenAPIHono<AppEnv>()
    .openapi(getSecret, async (c) => {
      const { secret, previousValidUntil } = await repo.current(c.get("userId"));
      return c.json(view(secret, previousValidUntil), 200, NO_STORE);
    })
    .openapi(rotateSecret, async (c) => {
      const { secret, previousUntil } = await repo.rotate(c.get("userId"), graceS);
      return c.json(view(secret, previousUntil), 200, NO_STORE);
    });
}
