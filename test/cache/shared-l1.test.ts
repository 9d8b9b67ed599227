import { describe, expect, test } from "bun:test";
import { SharedL1 } from "../../src/cache/shared-l1.ts";

const key = (i: number) => i.toString(16).padStart(64, "0");
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

describe("shared L1", () => {
  test("get returns what set stored, and counts hits and misses", () => {
    const l1 = new SharedL1({ entries: 8, slotBytes: 64 });
    expect(l1.set(key(1), bytes("one"), 60_000)).toBe(true);
    expect(text(l1.get(key(1)))).toBe("one");
    expect(l1.get(key(2))).toBeUndefined();
    l1.set(key(1), bytes("uno"), 60_000);
    expect(text(l1.get(key(1)))).toBe("uno");
    expect(l1.stats()).toMatchObject({ entries: 1, hits: 2, misses: 1, sets: 2 });
  });

  test("entries expire after their TTL", () => {
    const l1 = new SharedL1({ entries: 8, slotBytes: 64 });
    const now = 1_000_000;
    l1.set(key(1), bytes("x"), 1000, now);
    expect(text(l1.get(key(1), now + 999))).toBe("x");
    expect(l1.get(key(1), now + 1000)).toBeUndefined();
    expect(l1.stats()).toMatchObject({ entries: 0, expirations: 1 });
  });

  test("values larger than a slot are refused (they live in L2 only)", () => {
    const l1 = new SharedL1({ entries: 8, slotBytes: 16 });
    expect(l1.set(key(1), new Uint8Array(17), 60_000)).toBe(false);
    expect(l1.get(key(1))).toBeUndefined();
  });

  test("CLOCK eviction keeps what was read recently and drops the rest", () => {
    const l1 = new SharedL1({ entries: 4, slotBytes: 16 });
    for (let i = 0; i < 4; i++) l1.set(key(i), bytes(`v${i}`), 60_000);
    // A full sweep clears every reference bit; then 0 and 2 are read again.
    l1.set(key(4), bytes("v4"), 60_000);
    l1.get(key(2));
    l1.get(key(4));
    l1.set(key(5), bytes("v5"), 60_000);
    l1.set(key(6), bytes("v6"), 60_000);
    expect(text(l1.get(key(2)))).toBe("v2");
    expect(text(l1.get(key(4)))).toBe("v4");
    expect([0, 1, 3].filter((i) => l1.get(key(i)) !== undefined)).toHaveLength(0);
    expect(l1.stats().evictions).toBe(3);
    expect(l1.stats().entries).toBe(4);
  });

  test("deleted keys leave every other key findable", () => {
    const l1 = new SharedL1({ entries: 64, slotBytes: 16 });
    for (let i = 0; i < 64; i++) l1.set(key(i * 7919), bytes(String(i)), 60_000);
    for (let i = 0; i < 64; i += 3) l1.delete(key(i * 7919));
    for (let i = 0; i < 64; i++) expect(text(l1.get(key(i * 7919)))).toBe(i % 3 === 0 ? undefined : String(i));
  });

  test("four threads writing and reading one table never see a torn value", async () => {
    const l1 = new SharedL1({ entries: 32, slotBytes: 256 });
    const threads = Array.from({ length: 4 }, (_, id) => {
      const w = new Worker(new URL("./shared-l1-stress.worker.ts", import.meta.url));
      return new Promise<{ reads: number; hits: number; torn: number }>((resolve, reject) => {
        w.onmessage = (e) => {
          resolve(e.data);
          w.terminate();
        };
        w.onerror = (e) => reject(e);
        w.postMessage({ buffer: l1.buffer, opts: l1.opts, id, iterations: 200_000 });
      });
    });
    const results = await Promise.all(threads);
    const total = results.reduce((a, r) => ({ reads: a.reads + r.reads, hits: a.hits + r.hits, torn: a.torn + r.torn }), { reads: 0, hits: 0, torn: 0 });
    expect(total.torn).toBe(0);
    expect(total.hits).toBeGreaterThan(1000);
    const s = l1.stats();
    expect(s.entries).toBeLessThanOrEqual(32);
    expect(s.evictions).toBeGreaterThan(0);
    // A value written by one thread is read by another.
    expect(s.hits).toBe(total.hits);
  }, 60_000);
});
