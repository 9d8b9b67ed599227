import { accessSync, constants } from "node:fs";
import { Redis, type RedisOptions } from "ioredis";
import type { Config } from "../config.ts";
import { parseRedisUrl } from "../redis/redis-url.ts";
import type { Storage } from "../storage/index.ts";
import { privateDir } from "../storage/private-dir.ts";
import { DependencyError } from "./dependency-error.ts";

/** Each check gets this long: three of them stay well inside the 15 s a start-up may take to fail. */
export const CHECK_TIMEOUT_MS = 4000;

function within<T>(what: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([what, late]).finally(() => clearTimeout(timer));
}

const reason = (err: unknown) => {
  const e = err as Error & { errors?: Error[] };
  return (e.errors?.[0]?.message ?? e.message ?? String(err)).split("\n")[0]!;
};

/**
 * Where a URL points, without credentials and short of the whole value: start.ts blanks
 * out any secret setting's full value in what it prints, which would hide the address too.
 */
const endpoint = (url: string) => {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "default port"}${u.pathname.length > 1 ? u.pathname : ""}`;
  } catch {
    return "(unparseable URL)";
  }
};

/** FOLIO_DATA_DIR exists (made if need be) and can be written: PGlite, uploads and a local Redis live there. */
export function checkDataDir(cfg: Config): void {
  try {
    // Uploaded PDFs, PGlite's files and a local Redis's live below it: the owner's only.
    privateDir(cfg.FOLIO_DATA_DIR);
    accessSync(cfg.FOLIO_DATA_DIR, constants.W_OK);
  } catch (err) {
    throw new DependencyError(`cannot write to FOLIO_DATA_DIR=${cfg.FOLIO_DATA_DIR} (${reason(err)}): make it writable or point FOLIO_DATA_DIR at a folder that is`);
  }
}

/** One Redis node answers PING within the timeout; else the reason, in the socket's words. */
async function pingRedis(node: string | RedisOptions): Promise<string | undefined> {
  const options = { lazyConnect: true, connectTimeout: CHECK_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false } as const;
  const conn = typeof node === "string" ? new Redis(node, options) : new Redis({ ...node, ...options });
  // The socket's own error (ECONNREFUSED, ENOTFOUND) says more than "Connection is closed".
  let cause: unknown;
  conn.on("error", (err) => (cause ??= err));
  try {
    await within(conn.connect().then(() => conn.ping()), CHECK_TIMEOUT_MS);
    return undefined;
  } catch (err) {
    return reason(cause ?? err);
  } finally {
    conn.disconnect();
  }
}

/** Redis answers PING at REDIS_URL (for a cluster: at least one seed node does, all tried at once). */
export async function checkRedis(cfg: Config): Promise<void> {
  const target = parseRedisUrl(cfg.REDIS_URL);
  const nodes =
    target.kind === "single"
      ? [cfg.REDIS_URL]
      : target.nodes.map((n) => ({ ...n, username: target.username, password: target.password, tls: target.tls ? {} : undefined }));
  const failures = await Promise.all(nodes.map(pingRedis));
  if (failures.some((f) => f === undefined)) return;
  const where = target.kind === "single" ? endpoint(cfg.REDIS_URL) : "its seed nodes";
  const refused = failures.some((f) => /NOAUTH|WRONGPASS/i.test(f ?? ""));
  const fix = refused
    ? "put the right user and password in REDIS_URL (redis://user:password@host:port)"
    : `start Redis there or point REDIS_URL at one${cfg.FOLIO_REDIS_AUTOSTART || target.kind === "cluster" ? "" : " (or set FOLIO_REDIS_AUTOSTART=1 to let Folio start a local redis-server)"}`;
  throw new DependencyError(`Redis at REDIS_URL (${where}) ${refused ? "refuses Folio" : "does not answer"} (${failures[0]}): ${fix}`);
}

/** Postgres at DATABASE_URL accepts a connection and a query; PGlite needs only FOLIO_DATA_DIR (the storage check). */
export async function checkDatabase(cfg: Config): Promise<void> {
  if (!cfg.DATABASE_URL) return;
  const { default: postgres } = await import("postgres");
  const sql = postgres(cfg.DATABASE_URL, { max: 1, connect_timeout: CHECK_TIMEOUT_MS / 1000, onnotice: () => {} });
  try {
    await within(sql`select 1`, CHECK_TIMEOUT_MS);
  } catch (err) {
    throw new DependencyError(
      `the database at DATABASE_URL (${endpoint(cfg.DATABASE_URL)}) does not answer (${reason(err)}): ` +
        "start Postgres there, correct DATABASE_URL, or unset it to use the embedded PGlite in FOLIO_DATA_DIR",
    );
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/** Uploads can be written and removed where they are kept. */
export async function checkStorage(cfg: Config, storage: Storage): Promise<void> {
  const key = `folio-preflight-${process.pid}.pdf`;
  try {
    await within(
      (async () => {
        await storage.put(key, new Blob(["%PDF-probe"]).stream());
        await storage.delete(key);
      })(),
      CHECK_TIMEOUT_MS,
    );
  } catch (err) {
    const fix =
      storage.kind === "local"
        ? `cannot write uploads under FOLIO_DATA_DIR=${cfg.FOLIO_DATA_DIR} (${reason(err)}): make it writable or point FOLIO_DATA_DIR elsewhere`
        : `Supabase storage at SUPABASE_URL (${endpoint(cfg.SUPABASE_URL ?? "")}) does not take uploads (${reason(err)}): ` +
          "check SUPABASE_URL, SUPABASE_SERVICE_KEY and that the bucket SUPABASE_BUCKET exists";
    throw new DependencyError(fix);
  }
}
