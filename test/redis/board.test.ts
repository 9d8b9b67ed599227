/** A board on a real Redis: entries posted by writers, read live, and a writer gone quiet dropped. */
import { afterAll, expect, test } from "bun:test";
import { Redis } from "ioredis";
import { Board } from "../../src/redis/board.ts";

const redis = new Redis("redis://127.0.0.1:6379", { lazyConnect: false });
const key = `folio-test:board:${process.pid}:${Date.now()}`;
afterAll(async () => {
  await redis.del(key);
  redis.disconnect();
});

test("live entries come back freshest first; one not posted for five beats is left out and deleted", async () => {
  const board = new Board<{ n: number }>(redis, key, 1000);
  await board.post("a", { n: 1 });
  await Bun.sleep(5);
  await board.post("b", { n: 2 });
  const now = Date.now();
  expect((await board.live(now)).map((e) => e.n)).toEqual([2, 1]);
  // Seen from six beats on, every entry is a gone writer's, even one posted just now.
  await board.post("c", { n: 3 });
  expect((await board.live(now + 6000)).map((e) => e.n)).toEqual([]);
  expect(await redis.hkeys(key)).toEqual([]);
});

test("beat posts until stopped; an undefined entry posts nothing", async () => {
  const board = new Board<{ n: number }>(redis, key, 20);
  let n = 0;
  const stop = board.beat("w", () => (++n % 2 === 0 ? { n } : undefined));
  while (n < 6) await Bun.sleep(10);
  stop();
  const posted = await board.live();
  expect(posted).toHaveLength(1);
  expect(posted[0]!.n % 2).toBe(0);
  const stoppedAt = n;
  await Bun.sleep(100);
  expect(n).toBe(stoppedAt);
  await board.remove("w");
  expect(await board.live()).toEqual([]);
});
