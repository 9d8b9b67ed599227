import { timingSafeEqual } from "node:crypto";
import { createMiddleware } from "hono/factory";
import { LOCAL_USER } from "../../../../db/local-adoption.ts";
import type { Cidr } from "../../../net/cidrs.ts";
import { clientKey, peerAddress } from "../../client-address.ts";
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
  /** Counts a failed attempt against the client; throws 429 past the limit. */
  recordFailure(client: string): Promise<void>;
}

export interface IdentityOptions {
  envKeys: EnvKey[];
  keys: KeySource;
  /** FOLIO_TRUSTED_PROXIES: peers whose X-Forwarded-For names the client that failures count against. */
  trustedProxies: Cidr[];
}

/** Who is asking: `Authorization: Bearer KEY`, or the single local user in dev mode. */
export const identity = (opts: IdentityOptions) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!opts.keys.required()) {
      c.set("userId", LOCAL_USER);
      c.set("admin", true);
      return next();
    }
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const digest = token ? sha256(token) : undefined;
    const principal = token && digest ? (opts.envKeys.find((k) => timingSafeEqual(k.digest, digest)) ?? (await opts.keys.lookup(token))) : undefined;
    if (!principal) {
      await opts.keys.recordFailure(clientKey(peerAddress(c), c.req.header("x-forwarded-for"), opts.trustedProxies));
      throw new HttpError(401, "unauthorized", token ? "the API key is not valid" : "send Authorization: Bearer <API key>", { "www-authenticate": "Bearer" });
    }
    c.set("userId", principal.userId);
    c.set("admin", principal.admin);
    return next();
  });
