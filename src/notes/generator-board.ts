import type { Redis } from "ioredis";
import { log } from "../log.ts";
import type { GeneratorFingerprint } from "./fingerprint.ts";
import { Board, type Posted } from "../redis/board.ts";
import { keyspace } from "../redis/keyspace.ts";

/**
 * Where worker processes say which notes generator they run (an entry per process, posted
 * every 15 s), so the server's upload-time cache lookup uses the fingerprint that workers
 * would write under, not whatever the server's own environment says.
 */
interface Entry {
  process: string;
  id: string;
  kind: GeneratorFingerprint["kind"];
  settings: GeneratorFingerprint["settings"];
}

const board = (redis: Redis, prefix: string) => new Board<Entry>(redis, keyspace.generators(prefix), 15_000);

export function readGenerators(redis: Redis, prefix: string, now = Date.now()): Promise<Posted<Entry>[]> {
  return board(redis, prefix).live(now);
}

/**
 * Publishes this process's fingerprint now and every beat; warns when live processes
 * disagree (each then caches under its own fingerprint: no stale notes, fewer hits).
 * Returns a stop function that takes this process off the board.
 */
export async function publishGenerator(redis: Redis, prefix: string, processId: string, fp: GeneratorFingerprint): Promise<() => Promise<void>> {
  const generators = board(redis, prefix);
  let warned = "";
  const beat = async () => {
    await generators.post(processId, { process: processId, id: fp.id, kind: fp.kind, settings: fp.settings });
    const live = await generators.live();
    const ids = [...new Set(live.map((e) => e.id))].sort().join(",");
    if (ids.includes(",") && ids !== warned) {
      log.warn({ generators: live.map((e) => ({ process: e.process, fingerprint: e.id, kind: e.kind })) }, "worker processes run different notes generators");
    }
    warned = ids;
  };
  await beat();
  const timer = setInterval(() => void beat().catch(() => {}), generators.beatMs);
  return async () => {
    clearInterval(timer);
    await generators.remove(processId).catch(() => {});
  };
}

/**
 * The fingerprint uploads are looked up by: the one most recently published by a live
 * worker process, else this process's own. Read at most every `ttlMs`.
 */
export class GeneratorLookup {
  private cached: { id: string; until: number } | undefined;
  private told = "";

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly own: GeneratorFingerprint,
    private readonly ttlMs = 2000,
  ) {}

  async current(): Promise<string> {
    const now = Date.now();
    if (this.cached && this.cached.until > now) return this.cached.id;
    const [freshest] = await readGenerators(this.redis, this.prefix, now).catch(() => []);
    const id = freshest?.id ?? this.own.id;
    if (id !== this.own.id && id !== this.told) {
      log.info({ workers: id, server: this.own.id }, "the workers run another notes generator than this server's settings name; uploads are looked up by the workers'");
    }
    this.told = id;
    this.cached = { id, until: now + this.ttlMs };
    return id;
  }
}
