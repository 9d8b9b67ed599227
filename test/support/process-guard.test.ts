/**
 * No process outlives the suite: a test file that starts a real service and never stops it
 * is run in a runner of its own, which then fails, is interrupted, or is killed outright.
 * Afterwards neither the service nor anything in its process group is running.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freshDatabase } from "./postgres.ts";

const ROOT = resolve(import.meta.dir, "../..");
const work = mkdtempSync(join(tmpdir(), "folio-hygiene-"));
let db: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  db = await freshDatabase("hygiene");
});
afterAll(async () => {
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

/** Live (not zombie) processes whose process group is `pgid`. */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command's closing parenthesis: state, ppid, pgrp, …
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pgid && state !== "Z") members.push(Number(entry));
    } catch {
      // Ended while we looked.
    }
  }
  return members;
}

async function runFixture(mode: "fail" | "hang", name: string) {
  const pidFile = join(work, `${name}.pid`);
  const runner = Bun.spawn(["bun", "test", "./test/support/hygiene/leaves-a-service.fixture.ts"], {
    cwd: ROOT,
    env: { ...process.env, HYGIENE_MODE: mode, HYGIENE_PID_FILE: pidFile, HYGIENE_DATABASE_URL: db.url },
    stdout: "ignore",
    stderr: "ignore",
  });
  for (let i = 0; i < 600 && !existsSync(pidFile); i++) await Bun.sleep(100);
  // The fixture writes the pid once the service answered /ready.
  const pid = Number(readFileSync(pidFile, "utf8"));
  if (mode === "hang") expect(groupMembers(pid).length).toBeGreaterThan(0);
  return { runner, pid };
}

async function gone(pid: number, withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  while (groupMembers(pid).length > 0 && Date.now() < deadline) await Bun.sleep(100);
  return groupMembers(pid);
}

describe("no process outlives the test that started it", () => {
  test("a test that fails without cleaning up: the runner stops its service", async () => {
    const { runner, pid } = await runFixture("fail", "fail");
    expect(await runner.exited).toBe(1);
    expect(await gone(pid, 2_000)).toEqual([]);
  }, 90_000);

  test("an interrupted runner (SIGINT, as Ctrl-C) stops its service", async () => {
    const { runner, pid } = await runFixture("hang", "sigint");
    runner.kill("SIGINT");
    await runner.exited;
    expect(await gone(pid, 2_000)).toEqual([]);
  }, 90_000);

  test("a runner killed with SIGKILL: the service notices and exits by itself", async () => {
    const { runner, pid } = await runFixture("hang", "sigkill");
    runner.kill("SIGKILL");
    await runner.exited;
    expect(await gone(pid, 5_000)).toEqual([]);
  }, 90_000);
});
