import { afterAll, expect, test } from "bun:test";
import { Redis } from "ioredis";
import { ApiKeysRepo } from "../../db/api-keys-repo.ts";
import { openDatabase } from "../../db/client.ts";
import { KeyRing } from "../../src/server/key-ring.ts";

const db = await openDatabase({ pgliteDir: "memory://" });
const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
afterAll(async () => {
  await db.close();
  await redis.quit();
});

test("lookups are cached both ways: a wrong key repeated costs one database query; a revocation lands after the positive TTL", async () => {
  const repo = new ApiKeysRepo(db.db);
  let queries = 0;
  const counting = Object.assign(Object.create(repo), { find: (k: string) => (queries++, repo.find(k)) }) as ApiKeysRepo;
  const ring = new KeyRing(counting, redis, `{keyring-test-${process.pid}}`, 0, { refreshMs: 60_000, positiveTtlMs: 200, negativeTtlMs: 30_000, failuresPerMinute: 100 });
  await ring.start();
  expect(ring.required()).toBe(false);
  for (let i = 0; i < 50; i++) expect(await ring.lookup("folio_wrong-key")).toBeUndefined();
  expect(queries).toBe(1);
  const { id, key } = await repo.create("carol", false);
  await ring.refresh();
  expect(ring.required()).toBe(true);
  expect(await ring.lookup(key)).toEqual({ userId: "carol", admin: false });
  await repo.revoke(id);
  expect(await ring.lookup(key)).toBeDefined();
  await Bun.sleep(250);
  expect(await ring.lookup(key)).toBeUndefined();
  ring.stop();
});
