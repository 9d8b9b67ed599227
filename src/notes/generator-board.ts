import type { Redis } from "ioredis";
import { log } from "../log.ts";
import type { GeneratorFingerprint } from "./fingerprint.ts";
import { keyspace } from "../redis/keyspace.ts";

/**
 * Where worker processes say which notes generator they run (a hash field per process,
 * refreshed every BEAT_MS), so the server's upload-time cache lookup uses the fingerprint
 * that workers would write under, not whatever the server's own environment says.
 */
const BEAT_MS = 15_000;
const FRESH_MS = 3 * BEAT_MS;

interface Entry {
  process: string;
  id: string;
  kind: GeneratorFingerprint["kind"];
  settings: GeneratorFingerprint["settings"];
  at: number;
}

async function readBoard(redis: Redis, prefix: string): Promise<[field: string, entry: Entry][]> {
  return Object.entries(await redis.hgetall(keyspace.generators(prefix))).map(([field, v]) => [field, JSON.parse(v) as Entry]);
}

const fresh = (board: [string, Entry][], now: number) =>
  board
    .map(([, e]) => e)
    .filter((e) => now - e.at < FRESH_MS)
    .sort((a, b) => b.at - a.at);

export async function readGenerators(redis: Redis, prefix: string, now = Date.now()): Promise<Entry[]> {
  return fresh(await readBoard(redis, prefix), now);
}

/**
 * Publishes this process's fingerprint now and every BEAT_MS; warns when live processes
 * disagree (each then caches under its own fingerprint: no stale notes, fewer hits).
 * Returns a stop function that takes this process off the board.
 */
export async function publishGenerator(redis: Redis, prefix: string, processId: string, fp: GeneratorFingerprint): Promise<() => Promise<void>> {
  let warned = "";
  const beat = async () => {
    const entry: Entry = { process: processId, id: fp.id, kind: fp.kind, settings: fp.settings, at: Date.now() };
    await redis.hset(keyspace.generators(prefix), processId, JSON.stringify(entry));
    const board = await readBoard(redis, prefix);
    const now = Date.now();
    const live = fresh(board, now);
    const ids = [...new Set(live.map((e) => e.id))].sort().join(",");
    if (ids.includes(",") && ids !== warned) {
      log.warn({ generators: live.map((e) => ({ process: e.process, fingerprint: e.id, kind: e.kind })) }, "worker processes run different notes generators");
    }
    warned = ids;
    const stale = board.filter(([, e]) => now - e.at > 10 * FRESH_MS);
    if (stale.length) await redis.hdel(keyspace.generators(prefix), ...stale.map(([field]) => field));
  };
  await beat();
  const timer = setInterval(() => void beat().catch(() => {}), BEAT_MS);
  return async () => {
    clearInterval(timer);
    await redis.hdel(keyspace.generators(prefix), processId).catch(() => {});
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
