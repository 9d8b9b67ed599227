import type { Redis } from "ioredis";
import { noCache, NotesCache, type NotesLookup } from "./notes-cache.ts";
import { RedisL2 } from "./redis-l2.ts";
import { SharedL1, type SharedL1Options } from "./shared-l1.ts";
import { publishDrop } from "./l1-invalidation.ts";
import { singleFlight } from "./single-flight.ts";
import { notesKey, textKey, type CacheScope, type KeyedPdf } from "./cache-keys.ts";
import { keyspace } from "../redis/keyspace.ts";

export type { NotesLookup } from "./notes-cache.ts";

/** The caches' settings, built once from the config (src/options.ts). */
export interface CacheOptions {
  prefix: string;
  /** false (FOLIO_CACHE=off): every upload runs the pipeline. */
  enabled: boolean;
  scope: CacheScope;
  l1: SharedL1Options;
  l1TtlS: number;
  l2TtlS: number;
  singleFlightWaitS: number;
}

export interface Caches {
  /** By notesKey(): the PDF, the generator that wrote the notes, and the cache scope. */
  notes: NotesLookup;
  notesKey(pdf: KeyedPdf, fingerprint: string): string;
  textKey(pdf: KeyedPdf): string;
  /** Runs work once per key across threads and processes; others get the result through lookup. */
  once<T>(key: string, owner: string, lookup: () => Promise<T | undefined>, work: () => Promise<T>): Promise<{ value: T; shared: boolean }>;
}

/**
 * The caches of one thread. `l1Buffer` is the SharedArrayBuffer the thread host created
 * (absent: this thread makes its own table).
 */
export function createCaches(o: CacheOptions, redis: Redis, l1Buffer?: SharedArrayBuffer): Caches {
  const { prefix, scope } = o;
  const keys = { notesKey: (pdf: KeyedPdf, fingerprint: string) => notesKey(scope, pdf, fingerprint), textKey: (pdf: KeyedPdf) => textKey(scope, pdf) };
  if (!o.enabled) {
    return { ...keys, notes: noCache, once: async (_k, _o, _lookup, work) => ({ value: await work(), shared: false }) };
  }
  const l1 = new SharedL1(o.l1, l1Buffer);
  return {
    ...keys,
    notes: new NotesCache(l1, new RedisL2(redis, prefix, o.l2TtlS), o.l1TtlS * 1000, (key) => publishDrop(redis, prefix, key)),
    once: (key, owner, lookup, work) =>
      singleFlight(
        redis,
        keyspace.flight(prefix, key),
        owner,
        { lockTtlMs: 30_000, maxWaitMs: o.singleFlightWaitS * 1000, pollMs: 100 },
        lookup,
        work,
      ),
  };
}
