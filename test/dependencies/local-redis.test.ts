/**
 * The redis-server Folio starts for itself when nothing answers at REDIS_URL: logged with
 * its port and data folder, in a process group of its own (Ctrl-C reaches Folio only),
 * through an outage told in two lines, and stopped by Folio once the service has drained.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isListening } from "../../src/dependencies/local-redis.ts";
import { freshDatabase } from "../support/postgres.ts";
import { spawnGuarded } from "../support/process-guard.ts";
import { freePort, startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

let db: Awaited<ReturnType<typeof freshDatabase>>;
let svc: ServiceProcess;
let redisPort = 0;
let redisPid = 0;

const lines = () => readFileSync(svc.logFile, "utf8").trimEnd().split("\n");
const records = () => lines().map((l) => JSON.parse(l) as Record<string, any>);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000) {
  for (const end = Date.now() + ms; Date.now() < end; await Bun.sleep(100)) if (await check()) return;
  throw new Error(`not within ${ms} ms: ${what}`);
}

beforeAll(async () => {
  db = await freshDatabase("local_redis");
  redisPort = await freePort();
  svc = await startServiceProcess({ name: "local-redis", env: { DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${redisPort}`, FOLIO_REDIS_AUTOSTART: "1" } });
  redisPid = records().find((r) => r.redisPid)?.redisPid ?? 0;
}, 120_000);
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  // A failed assertion must not leave the Redis behind: it is in no group the guard kills.
  if (redisPid && alive(redisPid)) process.kill(redisPid, "SIGKILL");
  await db?.drop();
});

describe("an autostarted Redis", () => {
  test("is logged with its port and data folder, in a process group of its own", () => {
    const started = records().find((r) => r.redisPid);
    expect(started).toMatchObject({ port: redisPort, dataDir: join(svc.dataDir, "redis") });
    expect(started!.msg).toContain(`started redis-server on 127.0.0.1:${redisPort}`);
    const group = (pid: number) => Number(Bun.spawnSync(["ps", "-o", "pgid=", "-p", String(pid)]).stdout.toString().trim());
    expect(group(redisPid)).toBe(redisPid);
    expect(group(redisPid)).not.toBe(group(svc.proc.pid));
  });

  test("an outage is one line when it starts and one, with its duration, when it ends; no stack traces", async () => {
    // Never kill(0): that is the test runner's own process group.
    expect(redisPid).toBeGreaterThan(0);
    process.kill(redisPid, "SIGKILL");
    await until("the outage line", () => records().some((r) => r.dependency === "redis" && r.level === "warn"));
    await Bun.sleep(1500);
    const again = spawnGuarded(["redis-server", "--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdout: "ignore", stderr: "ignore" });
    try {
      await until("the recovery line", () => records().some((r) => r.dependency === "redis" && r.level === "info"));
      const told = records().filter((r) => r.dependency === "redis");
      expect(told.map((r) => r.level)).toEqual(["warn", "info"]);
      expect(told[0]!.msg).toContain("redis unreachable (connect ECONNREFUSED");
      expect(told[1]!.downMs).toBeGreaterThanOrEqual(1500);
      expect(records().filter((r) => /ECONNREFUSED/.test(JSON.stringify(r)))).toHaveLength(1);
      expect(readFileSync(`${svc.logFile}.err`, "utf8")).not.toContain("    at ");
      // Stopped while a Redis answers, so the drain is quick.
      await svc.stop();
    } finally {
      // The guard runs redis-server under a wrapper: kill the group, or the server lives on.
      process.kill(-again.pid, "SIGKILL");
      await again.exited;
    }
    await until("the port free", async () => !(await isListening("127.0.0.1", redisPort)));
    // Folio's own Redis again, for the last test.
    svc = await svc.restart();
    redisPid = records().find((r) => r.redisPid)?.redisPid ?? 0;
    expect(redisPid).toBeGreaterThan(0);
  }, 120_000);

  test("Ctrl-C (SIGINT to the terminal's process group) drains Folio, then Folio stops its Redis, in a few lines", async () => {
    expect(redisPid).toBeGreaterThan(0);
    const before = lines().length;
    const started = performance.now();
    process.kill(-svc.proc.pid, "SIGINT");
    expect(await svc.proc.exited).toBe(0);
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(5);
    const after = records().slice(before).map((r) => r.msg as string);
    expect(after).toEqual([
      expect.stringContaining("draining"),
      expect.stringContaining("stopped the redis-server Folio started"),
      "stopped cleanly",
    ]);
    expect(alive(redisPid)).toBe(false);
    expect(await isListening("127.0.0.1", redisPort)).toBe(false);
    expect(readFileSync(`${svc.logFile}.err`, "utf8")).not.toContain("ECONNREFUSED");
  }, 30_000);
});
