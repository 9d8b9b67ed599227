import type { Config } from "../config.ts";
import { startLocalRedis, type LocalRedis } from "./local-redis.ts";
import { parseRedisUrl } from "../redis/redis-url.ts";
import { createStorage, type Storage } from "../storage/index.ts";
import { storageOptions } from "../options.ts";
import { OutageLog } from "./outage-log.ts";
import { checkDatabase, checkDataDir, checkRedis, checkStorage } from "./preflight.ts";
import { reportTo, watchedStorage } from "./watched-storage.ts";

export interface Dependencies {
  /** The config to run with: REDIS_URL carries the password of a Redis Folio started. */
  cfg: Config;
  /** The file store, its outages told by `storageOutage`. */
  storage: Storage;
  /** Where this process's file-store outage is told, for the main thread and every consumer thread. */
  storageOutage: OutageLog;
  /** The redis-server Folio started because nothing answered at REDIS_URL, if it did. */
  localRedis?: LocalRedis;
}

/**
 * What a service needs before it connects to anything: its data folder, a Redis (started
 * when allowed and missing), the database and the file store, each checked to answer.
 * Checked first because the clients built later retry forever, which would hide what is
 * missing behind a trace per retry.
 */
export async function prepareDependencies(cfg: Config): Promise<Dependencies> {
  checkDataDir(cfg);
  // A cluster is the operator's: Folio starts a Redis of its own only for a single local URL.
  const autostart = cfg.FOLIO_REDIS_AUTOSTART && parseRedisUrl(cfg.REDIS_URL).kind === "single";
  const localRedis = autostart ? await startLocalRedis(cfg.REDIS_URL, cfg.FOLIO_DATA_DIR) : undefined;
  const effective = localRedis ? { ...cfg, REDIS_URL: localRedis.url } : cfg;
  const storage = createStorage(storageOptions(effective));
  try {
    await checkRedis(effective);
    await Promise.all([checkDatabase(effective), checkStorage(effective, storage)]);
  } catch (err) {
    await localRedis?.stop();
    throw err;
  }
  // Watched only from here: the check above says what is wrong in one line of its own.
  const storageOutage = new OutageLog("storage");
  return { cfg: effective, storage: watchedStorage(storage, reportTo(storageOutage)), storageOutage, localRedis };
}
