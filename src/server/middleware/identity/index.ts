import { timingSafeEqual } from "node:crypto";
import { createMiddleware } from "hono/factory";
import { HttpError } from "../../http-error.ts";

export type AppEnv = { Variables: { userId: string; admin: boolean } };

interface ApiKey {
  digest: Buffer;
  userId: string;
  admin: boolean;
}

const sha256 = (s: string) => new Bun.CryptoHasher("sha256").update(s).digest() as Buffer;

/** Parses FOLIO_API_KEYS ("key:user[:admin],…"); only digests of the keys are kept. */
export function parseApiKeys(spec: string | undefined): ApiKey[] {
  if (!spec) return [];
  return spec.split(",").map((entry) => {
    const [key, userId, admin] = entry.split(":");
    return { digest: sha256(key!), userId: userId!, admin: admin === "admin" };
  });
}

/**
 * Who is asking. With API keys configured every request needs `Authorization: Bearer KEY`;
 * with none, Folio is a single-user service on loopback and every request acts as "local".
 */
export const identity = (keys: ApiKey[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (keys.length === 0) {
      c.set("userId", "local");
      c.set("admin", true);
      return next();
    }
    const header = c.req.header("authorization") ?? "";
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) throw new HttpError(401, "unauthorized", "send Authorization: Bearer <API key>", { "www-authenticate": "Bearer" });
    const digest = sha256(token);
    const match = keys.find((k) => timingSafeEqual(k.digest, digest));
    if (!match) throw new HttpError(401, "unauthorized", "the API key is not valid", { "www-authenticate": "Bearer" });
    c.set("userId", match.userId);
    c.set("admin", match.admin);
    return next();
  });
