import { afterAll, expect, test } from "bun:test";
import { Redis } from "ioredis";
import { ApiKeysRepo } from "../../db/api-keys-repo.ts";
import { openDatabase } from "../../db/client.ts";
import { KeyRing, type KeyRingOptions } from "../../src/server/key-ring.ts";

const db = await openDatabase({ pgliteDir: "memory://" });
const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
afterAll(async () => {
  await db.close();
  await redis.quit();
});

const repo = new ApiKeysRepo(db.db);
const options = (over: Partial<KeyRingOptions> = {}): KeyRingOptions => ({ refreshMs: 60_000, positiveTtlMs: 200, negativeTtlMs: 30_000, failuresPerMinute: 100, ...over });
/** The repo, counting the database lookups the ring makes. */
function counted() {
  const seen = { queries: 0 };
  const counting = Object.assign(Object.create(repo), { find: (k: string) => (seen.queries++, repo.find(k)) }) as ApiKeysRepo;
  return { counting, seen };
}

test("lookups are cached both ways: a wrong key repeated costs one database query; a revocation lands after the positive TTL", async () => {
  const { counting, seen } = counted();
  const ring = new KeyRing(counting, redis, `{keyring-test-${process.pid}}`, 0, options());
  await ring.start();
  expect(ring.required()).toBe(false);
  for (let i = 0; i < 50; i++) expect(await ring.lookup("folio_wrong-key")).toBeUndefined();
  expect(seen.queries).toBe(1);
  const { id, key } = await repo.create("carol", false);
  await ring.refresh();
  expect(ring.required()).toBe(true);
  expect(await ring.lookup(key)).toEqual({ userId: "carol", admin: false });
  expect(await repo.revoke(id, false)).toBeInstanceOf(Date);
  expect(await ring.lookup(key)).toBeDefined();
  await Bun.sleep(250);
  expect(await ring.lookup(key)).toBeUndefined();
  ring.stop();
});

test("once a key was made, authentication stays on after every key is revoked, for a ring that starts afterwards too", async () => {
  // carol's key (the previous test) is revoked: no active key is left.
  const ring = new KeyRing(repo, redis, `{keyring-test-${process.pid}}`, 0, options());
  await ring.start();
  expect(ring.required()).toBe(true);
  ring.stop();
});

test("a flood of wrong keys does not push a good key out of the cache", async () => {
  const { counting, seen } = counted();
  const ring = new KeyRing(counting, redis, `{keyring-test-${process.pid}}`, 0, options({ positiveTtlMs: 60_000, maxCached: 50 }));
  const { key } = await repo.create("dave", false);
  expect(await ring.lookup(key)).toEqual({ userId: "dave", admin: false });
  for (let i = 0; i < 120; i++) await ring.lookup(`folio_guess-${i}`);
  const before = seen.queries;
  expect(await ring.lookup(key)).toEqual({ userId: "dave", admin: false });
  expect(seen.queries).toBe(before);
});

test("the last active admin key cannot be revoked unless admins exist elsewhere; two admins revoking each other leave one", async () => {
  // The earlier tests made no admin key.
  const a = await repo.create("alice", true);
  const user = await repo.create("bob", false);
  expect(await repo.revoke(a.id, false)).toBe("last_admin");
  expect(await repo.revoke(user.id, false)).toBeInstanceOf(Date);
  expect(await repo.revoke("k_none", false)).toBe("not_found");
  const b = await repo.create("erin", true);
  const outcomes = await Promise.all([repo.revoke(a.id, false), repo.revoke(b.id, false)]);
  expect(outcomes.filter((o) => o === "last_admin")).toHaveLength(1);
  expect(outcomes.filter((o) => o instanceof Date)).toHaveLength(1);
  const left = outcomes[0] === "last_admin" ? a : b;
  expect(await repo.revoke(left.id, true)).toBeInstanceOf(Date);
});
