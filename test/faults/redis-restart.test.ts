/**
 * Redis restarted mid-load (the test's own redis-server on another port): with appendonly
 * on it comes back with its jobs; without persistence it comes back empty, and the
 * reconciler enqueues the lost jobs again from the database. Every accepted job ends.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isListening } from "../../src/dependencies/local-redis.ts";
import { fastRecoveryEnv, report, tally, uploadMany } from "../support/load.ts";
import { freshDatabase } from "../support/postgres.ts";
import { freePort, startServiceProcess, type ServiceProcess } from "../support/service-process.ts";
import { spawnGuarded } from "../support/process-guard.ts";

let svc: ServiceProcess | undefined;
let redisProc: ReturnType<typeof Bun.spawn> | undefined;
let drop: (() => Promise<void>) | undefined;
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  redisProc?.kill();
  await drop?.();
});

async function startRedis(port: number, dir: string, persistent: boolean) {
  const proc = spawnGuarded(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", persistent ? "yes" : "no", "--save", ""], { stdout: "ignore", stderr: "ignore" });
  for (let i = 0; i < 100 && !(await isListening("127.0.0.1", port)); i++) await Bun.sleep(50);
  return proc;
}

for (const persistent of [true, false]) {
test(`a Redis restart mid-load (${persistent ? "appendonly" : "no persistence"}) loses no accepted job`, async () => {
  const db = await freshDatabase("redisrestart");
  drop = db.drop;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "folio-redis-"));
  redisProc = await startRedis(port, dir, persistent);
  svc = await startServiceProcess({
    name: `redis-restart-${persistent ? "aof" : "none"}`,
    env: {
      DATABASE_URL: db.url,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      FOLIO_REDIS_AUTOSTART: "0",
      FOLIO_CACHE: "off",
      FOLIO_RECONCILE_INTERVAL_MS: "1000",
      FOLIO_RECONCILE_GRACE_MS: "3000",
      ...fastRecoveryEnv(),
    },
  });
  let restarted = false;
  const { accepted, refused } = await uploadMany(svc.url, 200, {
    onEach: async (i) => {
      if (i === 100 && !restarted) {
        restarted = true;
        // SHUTDOWN flushes the append-only file (with persistence the server comes back on the same data).
        Bun.spawnSync(["redis-cli", "-p", String(port), "shutdown", persistent ? "save" : "nosave"]);
        await redisProc!.exited;
        await Bun.sleep(2000);
        redisProc = await startRedis(port, dir, persistent);
      }
    },
  });
  expect(restarted).toBe(true);
  const t = await tally(svc.url, accepted, refused);
  report(`redis restart (${persistent ? "appendonly" : "no persistence"})`, t);
  expect(t.lost).toBe(0);
  expect(t.completed + t.failedWithReason).toBe(t.accepted);
  expect(t.completed).toBeGreaterThan(t.accepted * 0.9);
  await svc.stop();
  svc.cleanup();
  svc = undefined;
  redisProc?.kill();
  await drop?.();
  drop = undefined;
}, 300_000);
}
