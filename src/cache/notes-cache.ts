import type { Notes } from "../notes/schema.ts";
import { NotesSchema } from "../notes/schema.ts";
import type { RedisL2 } from "./redis-l2.ts";
import type { SharedL1 } from "./shared-l1.ts";

export interface CacheStats {
  l1: { hits: number; misses: number; sets: number; evictions: number; expirations: number; entries: number; hitRate: number } | null;
  l2: { hits: number; misses: number; sets: number; hitRate: number };
}

const rate = (hits: number, misses: number) => (hits + misses === 0 ? 0 : hits / (hits + misses));

/**
 * Notes by their key (cache-keys.ts: PDF, generator, scope): L1 (shared memory, this process) → L2 (Redis; fills L1) →
 * miss. Writes go to both; values too large for an L1 slot live in L2 only.
 */
export class NotesCache {
  constructor(
    private readonly l1: SharedL1 | undefined,
    private readonly l2: RedisL2,
    private readonly l1TtlMs: number,
    /** Tells every process to drop a replaced key from its L1 (l1-invalidation.ts). */
    private readonly dropEverywhere: (key: string) => Promise<unknown>,
  ) {}

  async get(key: string): Promise<Notes | undefined> {
    const local = this.l1?.get(key);
    if (local) return decode(local);
    const remote = await this.l2.get("notes", key);
    if (!remote) return undefined;
    this.l1?.set(key, remote, this.l1TtlMs);
    return decode(remote);
  }

  async set(key: string, notes: Notes): Promise<void> {
    const bytes = new TextEncoder().encode(JSON.stringify(notes));
    this.l1?.set(key, bytes, this.l1TtlMs);
    await this.l2.set("notes", key, bytes);
  }

  /** Sets notes that replace others under the key (a refresh), in every process's L1 too. */
  async replace(key: string, notes: Notes): Promise<void> {
    await this.set(key, notes);
    await this.dropEverywhere(key);
  }

  /** This process's L1 figures, without asking Redis. */
  localStats(): CacheStats["l1"] {
    const l1 = this.l1?.stats();
    return l1 ? { ...l1, hitRate: rate(l1.hits, l1.misses) } : null;
  }

  async stats(): Promise<CacheStats> {
    const l2 = await this.l2.stats();
    return { l1: this.localStats(), l2: { ...l2, hitRate: rate(l2.hits, l2.misses) } };
  }
}

function decode(bytes: Uint8Array): Notes | undefined {
  const parsed = NotesSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
  return parsed.success ? parsed.data : undefined;
}

/** FOLIO_CACHE=off: every lookup misses and nothing is stored (the rollback plan). */
export const noCache = {
  get: async () => undefined,
  set: async () => {},
  replace: async () => {},
  localStats: () => null,
  stats: async (): Promise<CacheStats> => ({ l1: null, l2: { hits: 0, misses: 0, sets: 0, hitRate: 0 } }),
} satisfies NotesLookup;

export type NotesLookup = Pick<NotesCache, "get" | "set" | "replace" | "localStats" | "stats">;
