import type { Redis } from "ioredis";
import type { Config } from "./config.ts";
import type { OutageLog } from "./dependencies/outage-log.ts";
import { log } from "./log.ts";
import { RedisConnections, type RedisRole } from "./redis/connections.ts";

/**
 * The connections a process, or one of its worker threads, is built from: created once and
 * passed down instead of read from globals. Two runtimes (two services in one test process)
 * share nothing but the logger.
 */
export interface Runtime {
  redis(role?: RedisRole): Redis;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  redisUrl: string;
  logLevel: Config["LOG_LEVEL"];
}

export function createRuntime(o: RuntimeOptions, outages?: OutageLog): Runtime {
  const connections = new RedisConnections(o.redisUrl, outages);
  log.level = o.logLevel;
  return { redis: (role) => connections.get(role), close: () => connections.close() };
}
