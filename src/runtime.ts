import type { Redis } from "ioredis";
import type { Config } from "./config.ts";
import type { OutageLog } from "./dependencies/outage-log.ts";
import { log } from "./log.ts";
import { RedisConnections, type RedisRole } from "./redis/connections.ts";

/**
 * What a process, or one of its worker threads, is built from: the validated config and
 * the connections made from it, created once and passed down instead of read from globals.
 * Two runtimes (two services in one test process) share nothing but the logger.
 */
export interface Runtime {
  cfg: Config;
  redis(role?: RedisRole): Redis;
  close(): Promise<void>;
}

export function createRuntime(cfg: Config, outages?: OutageLog): Runtime {
  const connections = new RedisConnections(cfg.REDIS_URL, outages);
  log.level = cfg.LOG_LEVEL;
  return { cfg, redis: (role) => connections.get(role), close: () => connections.close() };
}
