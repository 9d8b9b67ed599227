import type { Redis } from "ioredis";
import { ConfigError } from "../errors/config-error.ts";
import type { Storage } from "./storage.ts";
import { keyspace } from "../redis/keyspace.ts";

/**
 * Workers on another machine with local storage would fail job by job (`source_expired`).
 * So a server writes a probe object at start and records its key in Redis; a worker
 * process reads it back before taking jobs, and refuses to start if it cannot.
 */
export async function publishStorageProbe(storage: Storage, redis: Redis, prefix: string): Promise<void> {
  const key = `probe_${crypto.randomUUID().replaceAll("-", "")}.pdf`;
  await storage.put(key, new Blob([`%PDF- storage probe ${new Date().toISOString()}`]).stream());
  const previous = await redis.getset(keyspace.storageProbe(prefix), key);
  if (previous && previous !== key) await storage.delete(previous).catch(() => {});
}

/** Waits up to `waitMs` for a server's probe; throws a ConfigError when this process cannot read it. */
export async function checkStorageShared(storage: Storage, redis: Redis, prefix: string, waitMs = 5000): Promise<"shared" | "no-probe-yet"> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const key = await redis.get(keyspace.storageProbe(prefix));
    if (key) {
      if (await storage.get(key)) return "shared";
      throw new ConfigError(
        `Invalid storage: this worker cannot read what the server stored (${storage.kind} storage). ` +
          "Workers on other machines need Supabase Storage (SUPABASE_URL) or the server's FOLIO_DATA_DIR on a shared filesystem.",
      );
    }
    if (Date.now() > deadline) return "no-probe-yet";
    await Bun.sleep(250);
  }
}
