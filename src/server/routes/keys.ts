import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { ApiKeysRepo } from "../../../db/api-keys-repo.ts";
import { LocalDataUnclaimed } from "../../../db/local-adoption.ts";
import type { KeyRing } from "../key-ring.ts";
import { HttpError } from "../http-error.ts";
import type { AppEnv } from "../middleware/identity/index.ts";
import { errors } from "../openapi/schemas.ts";
import { validationHook } from "../openapi/validation-hook.ts";
import { adminOnly } from "./monitoring.ts";

const KeyInfo = z
  .object({ id: z.string(), userId: z.string(), admin: z.boolean(), createdAt: z.string(), revokedAt: z.string().nullable() })
  .openapi("ApiKey");
const NewKey = z
  .object({
    userId: z.string().regex(/^[A-Za-z0-9_.@-]{1,100}$/).openapi({ example: "alice" }),
    admin: z.boolean().default(false),
    adoptLocal: z.boolean().optional().openapi({
      description:
        "Move the jobs, notes, files and webhook secret made in single-user mode (user `local`) to userId. " +
        "Required (true or false) for the first key while such jobs exist: 409 local_data_unclaimed otherwise",
    }),
  })
  .openapi("NewApiKey");

const create = createRoute({
  method: "post",
  path: "/",
  tags: ["Keys"],
  summary: "Create an API key (admin); the first key turns authentication on, on every server within seconds",
  middleware: [adminOnly] as const,
  request: { body: { required: true, content: { "application/json": { schema: NewKey } } } },
  responses: {
    201: {
      description: "The key, shown this once; adopted: how many single-user jobs became userId's",
      content: { "application/json": { schema: KeyInfo.extend({ key: z.string(), adopted: z.number().int() }) } },
    },
    ...errors(400, 401, 403, 409),
  },
});
const list = createRoute({
  method: "get",
  path: "/",
  tags: ["Keys"],
  summary: "List API keys, revoked ones too; never the keys themselves (admin)",
  middleware: [adminOnly] as const,
  responses: { 200: { description: "The keys", content: { "application/json": { schema: z.object({ keys: z.array(KeyInfo) }) } } }, ...errors(401, 403) },
});
const revoke = createRoute({
  method: "delete",
  path: "/{id}",
  tags: ["Keys"],
  summary: "Revoke an API key (admin): refused on every server within seconds",
  description:
    "Authentication stays on after the last key is revoked. The last active admin key cannot be revoked here (409 `last_admin_key`) " +
    "unless FOLIO_API_KEYS holds an admin key: create another admin key first.",
  middleware: [adminOnly] as const,
  request: { params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "k_…" }) }) },
  responses: {
    200: { description: "Revoked", content: { "application/json": { schema: z.object({ id: z.string(), revokedAt: z.string() }) } } },
    ...errors(401, 403, 404, 409),
  },
});

const view = (k: { id: string; userId: string; admin: boolean; createdAt: Date; revokedAt: Date | null }) => ({
  id: k.id,
  userId: k.userId,
  admin: k.admin,
  createdAt: k.createdAt.toISOString(),
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

/** /admin/keys: API keys managed while the service runs (which also lets a PGlite deployment make keys). */
export function keyRoutes(repo: ApiKeysRepo, ring: KeyRing, envAdmins: () => boolean) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(create, async (c) => {
      const { userId, admin, adoptLocal } = c.req.valid("json");
      const { id, key, adopted } = await repo.create(userId, admin, adoptLocal).catch((err: unknown) => {
        throw err instanceof LocalDataUnclaimed ? new HttpError(409, "local_data_unclaimed", err.message) : err;
      });
      await ring.refresh();
      // The key is in this answer only: no browser, proxy or CDN may keep a copy.
      return c.json({ ...view({ id, userId, admin, createdAt: new Date(), revokedAt: null }), key, adopted }, 201, { "cache-control": "no-store" });
    })
    .openapi(list, async (c) => c.json({ keys: (await repo.list()).map(view) }, 200))
    .openapi(revoke, async (c) => {
      const revokedAt = await repo.revoke(c.req.valid("param").id, envAdmins());
      if (revokedAt === "not_found") throw new HttpError(404, "key_not_found", "no API key with that id");
      if (revokedAt === "last_admin") {
        throw new HttpError(409, "last_admin_key", "this is the last active admin key: create another admin key before revoking it (authentication stays on either way)");
      }
      ring.forget();
      await ring.refresh();
      return c.json({ id: c.req.valid("param").id, revokedAt: revokedAt.toISOString() }, 200);
    });
}
