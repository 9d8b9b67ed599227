import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { OutageLog } from "../dependencies/outage-log.ts";
import { parseRedisUrl } from "./redis-url.ts";

/**
 * One ioredis connection per role per runtime (a process, or a worker thread), created on first use.
 * - `commands`: queues, cache, text store, publishing; fails fast so HTTP requests answer.
 * - `worker`: BullMQ workers, which need `maxRetriesPerRequest: null` to survive Redis restarts.
 * - `subscriber`: pub/sub only (a subscribed connection can issue no other command).
 */
export type RedisRole = "commands" | "worker" | "subscriber";

export class RedisConnections {
  private readonly connections = new Map<RedisRole, Redis>();

  /** `outages` reports when Redis goes away and comes back; without it (a worker thread: its process reports) errors pass silently. */
  constructor(
    private readonly url: string,
    private readonly outages?: OutageLog,
  ) {}

  get(role: RedisRole = "commands"): Redis {
    let conn = this.connections.get(role);
    if (!conn) {
      conn = connect(this.url, {
        maxRetriesPerRequest: role === "commands" ? 3 : null,
        enableReadyCheck: true,
        connectionName: `folio:${role}`,
        retryStrategy: (times) => Math.min(times * 200, 2000),
      });
      // ioredis reconnects by itself: one line when Redis goes, one when it is back.
      conn.on("error", (err) => this.outages?.failed(role, err));
      conn.on("ready", () => this.outages?.recovered(role));
      quietDuplicates(conn);
      this.connections.set(role, conn);
    }
    return conn;
  }

  async close(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map((c) => c.quit().catch(() => c.disconnect())));
  }
}

/**
 * BullMQ duplicates a connection it is given (a worker's blocking client, QueueEvents) and
 * may leave the copy without an "error" listener, so ioredis prints a stack trace for every
 * reconnection attempt during an outage. The outage is the original's to report: copies get
 * a listener that drops their errors.
 */
function quietDuplicates(conn: Redis): void {
  const duplicate = conn.duplicate.bind(conn);
  conn.duplicate = (...args: Parameters<Redis["duplicate"]>) => {
    const copy = duplicate(...args);
    copy.on("error", () => {});
    quietDuplicates(copy);
    return copy;
  };
}

/**
 * A connection to REDIS_URL: one Redis, or an ioredis Cluster for `redis+cluster://`. The
 * cluster is typed as a Redis: Folio uses the commands both speak (every key shares the
 * prefix's hash tag, so multi-key scripts stay in one slot), and BullMQ tells them apart itself.
 */
export function connect(url: string, options: RedisOptions): Redis {
  const target = parseRedisUrl(url);
  if (target.kind === "single") return new Redis(url, options);
  const { retryStrategy, ...redisOptions } = options;
  return new Cluster(target.nodes, {
    redisOptions: { ...redisOptions, username: target.username, password: target.password, ...(target.tls ? { tls: {} } : {}) },
    clusterRetryStrategy: retryStrategy,
    enableReadyCheck: options.enableReadyCheck,
    // Failover: while a replica is promoted, commands wait and are retried on the new master.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    maxRedirections: 32,
  }) as unknown as Redis;
}
