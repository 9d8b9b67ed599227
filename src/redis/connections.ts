import { Redis } from "ioredis";
import { config } from "../config.ts";

/**
 * One ioredis connection per role per process (or worker thread), created on first use.
 * - `commands`: queues, cache, text store, publishing; fails fast so HTTP requests answer.
 * - `worker`: BullMQ workers, which need `maxRetriesPerRequest: null` to survive Redis restarts.
 * - `subscriber`: pub/sub only (a subscribed connection can issue no other command).
 */
export type RedisRole = "commands" | "worker" | "subscriber";

const connections = new Map<RedisRole, Redis>();

export function redis(role: RedisRole = "commands"): Redis {
  let conn = connections.get(role);
  if (!conn) {
    conn = new Redis(config().REDIS_URL, {
      maxRetriesPerRequest: role === "commands" ? 3 : null,
      enableReadyCheck: true,
      connectionName: `folio:${role}`,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    conn.on("error", () => {
      // ioredis reconnects by itself; the pipeline reports failures where they matter.
    });
    connections.set(role, conn);
  }
  return conn;
}

export async function closeRedis(): Promise<void> {
  const all = [...connections.values()];
  connections.clear();
  await Promise.all(all.map((c) => c.quit().catch(() => c.disconnect())));
}
