import { timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { getConnInfo } from "hono/bun";
import { createMiddleware } from "hono/factory";
import { LOCAL_USER } from "../../../../db/local-adoption.ts";
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

/** The database's keys, as src/server/key-ring.ts keeps them. */
export interface KeySource {
  /** False only in single-user dev mode (no key anywhere): every request is "local". */
  required(): boolean;
  lookup(key: string): Promise<Principal | undefined>;
  checkAddress(address: string): Promise<void>;
  recordFailure(address: string): Promise<void>;
}

export interface IdentityOptions {
  envKeys: EnvKey[];
  keys: KeySource;
}

function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Who is asking: `Authorization: Bearer KEY`, or the single local user in dev mode. */
export const identity = (opts: IdentityOptions) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!opts.keys.required()) {
      c.set("userId", LOCAL_USER);
      c.set("admin", true);
      return next();
    }
    const address = clientAddress(c);
    await opts.keys.checkAddress(address);
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const digest = token ? sha256(token) : undefined;
    const principal = token && digest ? (opts.envKeys.find((k) => timingSafeEqual(k.digest, digest)) ?? (await opts.keys.lookup(token))) : undefined;
    if (!principal) {
      await opts.keys.recordFailure(address);
      throw new HttpError(401, "unauthorized", token ? "the API key is not valid" : "send Authorization: Bearer <API key>", { "www-authenticate": "Bearer" });
    }
    c.set("userId", principal.userId);
    c.set("admin", principal.admin);
    return next();
  });
