/**
 * L1 cache in one SharedArrayBuffer that every worker thread of the process reads and
 * writes. Hand-written because no library does this: lru-cache and friends keep JS objects
 * on one thread's heap, which other threads cannot see; here the table itself is shared
 * memory, so a value one thread caches is a hit in every other thread.
 *
 * Keys are SHA-256 digests (64 hex chars, stored as 32 bytes); values are byte strings of
 * at most `slotBytes` (larger ones belong to L2 only). Every slot owns a fixed region of the
 * arena, so the table is bounded in entries and in bytes and never fragments.
 *
 * Memory layout (little-endian, 4-byte words unless noted):
 *   header   Int32[16]       0 writer lock · 1 CLOCK hand · 2 live entries · 3 hits · 4 misses
 *                             · 5 sets · 6 evictions · 7 expirations
 *   slots    Int32[N × 16]   per slot: 0 seqlock version (odd while being written) · 1 used
 *                             · 2 value length · 3 reference bit (CLOCK) · 4–11 key (32 bytes)
 *   expiry   Float64[N]      per slot: expiry time, ms since the epoch
 *   index    Int32[B]        open-addressing hash index, B = power of two ≥ 2N: slot + 1, 0 empty
 *   arena    Uint8[N × slotBytes]  slot i's value at i × slotBytes
 *
 * Concurrency: writers (set, delete, eviction) take the one spin lock in the header;
 * readers take no lock. A reader finds a slot through the index, then copies the value
 * between two reads of the slot's seqlock version and retries if a writer was there, so it
 * never returns a torn value. A reader racing an index update can miss (a cache miss,
 * harmless) but cannot return the wrong key: the key is checked inside the seqlock.
 */
const HEADER_WORDS = 16;
const SLOT_WORDS = 16;
const H = { lock: 0, hand: 1, count: 2, hits: 3, misses: 4, sets: 5, evictions: 6, expirations: 7 } as const;
const S = { version: 0, used: 1, length: 2, ref: 3, key: 4 } as const;

export interface SharedL1Options {
  entries: number;
  slotBytes: number;
}

export interface L1Stats {
  entries: number;
  capacity: number;
  hits: number;
  misses: number;
  sets: number;
  evictions: number;
  expirations: number;
}

function indexSize(entries: number): number {
  let b = 1;
  while (b < entries * 2) b <<= 1;
  return b;
}

function layout(entries: number, slotBytes: number) {
  const header = 0;
  const slots = header + HEADER_WORDS * 4;
  const expiry = slots + entries * SLOT_WORDS * 4; // multiple of 8: 64 + N·64
  const index = expiry + entries * 8;
  const arena = index + indexSize(entries) * 4;
  return { header, slots, expiry, index, arena, total: arena + entries * slotBytes };
}

/** Hex digit value by char code, -1 for anything else (a lookup beats a regex and parseInt on the hot path). */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX["0123456789abcdef".charCodeAt(i)] = i;

function keyWords(key: string, out: Int32Array): void {
  if (key.length !== 64) throw new Error("shared L1 keys are SHA-256 hex digests");
  for (let w = 0; w < 8; w++) {
    let word = 0;
    for (let c = w * 8; c < w * 8 + 8; c++) {
      const digit = HEX[key.charCodeAt(c)] ?? -1;
      if (digit < 0) throw new Error("shared L1 keys are SHA-256 hex digests");
      word = (word << 4) | digit;
    }
    out[w] = word;
  }
}

export class SharedL1 {
  readonly buffer: SharedArrayBuffer;
  private readonly header: Int32Array;
  private readonly slots: Int32Array;
  private readonly expiry: Float64Array;
  private readonly index: Int32Array;
  private readonly arena: Uint8Array;
  private readonly mask: number;
  private readonly key = new Int32Array(8);

  /** Creates the table (thread host) or attaches to one passed from another thread. */
  constructor(
    readonly opts: SharedL1Options,
    buffer?: SharedArrayBuffer,
  ) {
    const l = layout(opts.entries, opts.slotBytes);
    this.buffer = buffer ?? new SharedArrayBuffer(l.total);
    if (this.buffer.byteLength !== l.total) throw new Error("shared L1 buffer does not match its options");
    this.header = new Int32Array(this.buffer, l.header, HEADER_WORDS);
    this.slots = new Int32Array(this.buffer, l.slots, opts.entries * SLOT_WORDS);
    this.expiry = new Float64Array(this.buffer, l.expiry, opts.entries);
    this.index = new Int32Array(this.buffer, l.index, indexSize(opts.entries));
    this.arena = new Uint8Array(this.buffer, l.arena, opts.entries * opts.slotBytes);
    this.mask = this.index.length - 1;
  }

  /** A copy of the value, or undefined on a miss or an expired entry. */
  get(key: string, now = Date.now()): Uint8Array | undefined {
    keyWords(key, this.key);
    for (let attempt = 0; attempt < 8; attempt++) {
      const slot = this.find(this.key);
      if (slot < 0) break;
      const base = slot * SLOT_WORDS;
      const v1 = Atomics.load(this.slots, base + S.version);
      if (v1 & 1) continue;
      if (!this.slots[base + S.used] || !this.keyMatches(base, this.key)) continue;
      const length = this.slots[base + S.length]!;
      const expires = this.expiry[slot]!;
      const value = this.arena.slice(slot * this.opts.slotBytes, slot * this.opts.slotBytes + length);
      if (Atomics.load(this.slots, base + S.version) !== v1) continue;
      if (expires <= now) {
        this.expire(slot, v1, now);
        break;
      }
      Atomics.store(this.slots, base + S.ref, 1);
      Atomics.add(this.header, H.hits, 1);
      return value;
    }
    Atomics.add(this.header, H.misses, 1);
    return undefined;
  }

  /** Stores a value for ttlMs. Returns false when it is larger than a slot (L2 only). */
  set(key: string, value: Uint8Array, ttlMs: number, now = Date.now()): boolean {
    if (value.byteLength > this.opts.slotBytes) return false;
    const k = new Int32Array(8);
    keyWords(key, k);
    this.lock();
    try {
      let slot = this.find(k);
      if (slot < 0) {
        slot = this.freeSlot(now);
        this.indexInsert(k, slot);
        Atomics.add(this.header, H.count, 1);
      }
      const base = slot * SLOT_WORDS;
      Atomics.add(this.slots, base + S.version, 1);
      this.slots.set(k, base + S.key);
      this.slots[base + S.used] = 1;
      this.slots[base + S.length] = value.byteLength;
      this.expiry[slot] = now + ttlMs;
      this.arena.set(value, slot * this.opts.slotBytes);
      Atomics.store(this.slots, base + S.ref, 1);
      Atomics.add(this.slots, base + S.version, 1);
      Atomics.add(this.header, H.sets, 1);
      return true;
    } finally {
      this.unlock();
    }
  }

  delete(key: string): void {
    const k = new Int32Array(8);
    keyWords(key, k);
    this.lock();
    try {
      const slot = this.find(k);
      if (slot >= 0) this.clearSlot(slot);
    } finally {
      this.unlock();
    }
  }

  stats(): L1Stats {
    const h = (i: number) => Atomics.load(this.header, i);
    return {
      entries: h(H.count),
      capacity: this.opts.entries,
      hits: h(H.hits),
      misses: h(H.misses),
      sets: h(H.sets),
      evictions: h(H.evictions),
      expirations: h(H.expirations),
    };
  }

  private lock(): void {
    while (Atomics.compareExchange(this.header, H.lock, 0, 1) !== 0) Atomics.wait(this.header, H.lock, 1, 1);
  }

  private unlock(): void {
    Atomics.store(this.header, H.lock, 0);
    Atomics.notify(this.header, H.lock, 1);
  }

  private keyMatches(base: number, k: Int32Array): boolean {
    for (let i = 0; i < 8; i++) if (this.slots[base + S.key + i] !== k[i]) return false;
    return true;
  }

  /** The slot holding key k, or -1. Probes the index; the caller re-checks under the seqlock. */
  private find(k: Int32Array): number {
    for (let i = k[0]! & this.mask, n = 0; n <= this.mask; i = (i + 1) & this.mask, n++) {
      const entry = Atomics.load(this.index, i);
      if (entry === 0) return -1;
      if (this.keyMatches((entry - 1) * SLOT_WORDS, k)) return entry - 1;
    }
    return -1;
  }

  private indexInsert(k: Int32Array, slot: number): void {
    let i = k[0]! & this.mask;
    while (this.index[i] !== 0) i = (i + 1) & this.mask;
    Atomics.store(this.index, i, slot + 1);
  }

  /** Backward-shift deletion: keeps every remaining key reachable from its home bucket without tombstones. */
  private indexRemove(slot: number): void {
    let i = this.slots[slot * SLOT_WORDS + S.key]! & this.mask;
    while (this.index[i] !== slot + 1) {
      if (this.index[i] === 0) return;
      i = (i + 1) & this.mask;
    }
    for (let j = (i + 1) & this.mask; this.index[j] !== 0; j = (j + 1) & this.mask) {
      const home = this.slots[(this.index[j]! - 1) * SLOT_WORDS + S.key]! & this.mask;
      // Move j back to the hole at i unless j's home lies cyclically in (i, j].
      const between = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!between) {
        Atomics.store(this.index, i, this.index[j]!);
        i = j;
      }
    }
    Atomics.store(this.index, i, 0);
  }

  private clearSlot(slot: number): void {
    const base = slot * SLOT_WORDS;
    this.indexRemove(slot);
    Atomics.add(this.slots, base + S.version, 1);
    this.slots[base + S.used] = 0;
    Atomics.add(this.slots, base + S.version, 1);
    Atomics.sub(this.header, H.count, 1);
  }

  /** An empty slot, or one freed by CLOCK: expired entries first, then the first without a recent hit. */
  private freeSlot(now: number): number {
    const n = this.opts.entries;
    for (let sweep = 0; sweep < 2 * n + 1; sweep++) {
      const slot = this.header[H.hand]!;
      this.header[H.hand] = (slot + 1) % n;
      const base = slot * SLOT_WORDS;
      if (!this.slots[base + S.used]) return slot;
      if (this.expiry[slot]! <= now) {
        this.clearSlot(slot);
        Atomics.add(this.header, H.expirations, 1);
        return slot;
      }
      if (Atomics.exchange(this.slots, base + S.ref, 0) === 0) {
        this.clearSlot(slot);
        Atomics.add(this.header, H.evictions, 1);
        return slot;
      }
    }
    throw new Error("shared L1: no slot could be freed");
  }

  private expire(slot: number, version: number, now: number): void {
    this.lock();
    try {
      const base = slot * SLOT_WORDS;
      if (this.slots[base + S.version] === version && this.slots[base + S.used] && this.expiry[slot]! <= now) {
        this.clearSlot(slot);
        Atomics.add(this.header, H.expirations, 1);
      }
    } finally {
      this.unlock();
    }
  }
}
