import { timingSafeEqual } from "node:crypto";
import { createMiddleware } from "hono/factory";
import { HttpError } from "../../http-error.ts";

export type AppEnv = { Variables: { userId: string; admin: boolean } };

export interface Principal {
  userId: string;
  admin: boolean;
}

interface EnvKey extends Principal {
  digest: Buffer;
}

const sha256 = (s: string) => new Bun.CryptoHasher("sha256").update(s).digest() as Buffer;

/** Parses FOLIO_API_KEYS ("key:user[:admin],…"); only digests of the keys are kept. */
export function parseApiKeys(spec: string | undefined): EnvKey[] {
  if (!spec) return [];
  return spec.split(",").map((entry) => {
    const [key, userId, admin] = entry.split(":");
    return { digest: sha256(key!), userId: userId!, admin: admin === "admin" };
  });
}

export interface IdentityOptions {
  envKeys: EnvKey[];
  /** Keys created with `bun run keys create`, looked up by the database. */
  lookup: (key: string) => Promise<Principal | undefined>;
  /** False only in single-user dev mode (no key anywhere): every request is "local". */
  required: boolean;
}

/** Who is asking: `Authorization: Bearer KEY`, or the single local user in dev mode. */
export const identity = (opts: IdentityOptions) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!opts.required) {
      c.set("userId", "local");
      c.set("admin", true);
      return next();
    }
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    if (!token) throw new HttpError(401, "unauthorized", "send Authorization: Bearer <API key>", { "www-authenticate": "Bearer" });
    const digest = sha256(token);
    const principal = opts.envKeys.find((k) => timingSafeEqual(k.digest, digest)) ?? (await opts.lookup(token));
    if (!principal) throw new HttpError(401, "unauthorized", "the API key is not valid", { "www-authenticate": "Bearer" });
    c.set("userId", principal.userId);
    c.set("admin", principal.admin);
    return next();
  });
