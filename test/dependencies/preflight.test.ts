/**
 * `bun run start` with a dependency that is not there: it exits non-zero within 15 s with
 * one line naming the setting to fix, and no stack trace.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnGuarded } from "../support/process-guard.ts";
import { freePort } from "../support/service-process.ts";

const ROOT = resolve(import.meta.dir, "../..");
const dataDir = mkdtempSync(join(tmpdir(), "folio-preflight-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function start(env: Record<string, string>) {
  const started = performance.now();
  const proc = spawnGuarded(["bun", "src/cli/start.ts"], {
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), FOLIO_DATA_DIR: dataDir, PORT: String(await freePort()), DATABASE_URL: "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout as ReadableStream).text(),
    new Response(proc.stderr as ReadableStream).text(),
    proc.exited,
  ]);
  return { code, seconds: (performance.now() - started) / 1000, lines: `${stdout}${stderr}`.trimEnd().split("\n") };
}

describe("start-up with a dependency missing", () => {
  test("an unreachable Redis (no autostart): exit 1 within 15 s, one line naming REDIS_URL and the fix", async () => {
    const port = await freePort();
    const r = await start({ FOLIO_REDIS_AUTOSTART: "0", REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.seconds).toBeLessThan(15);
    expect(r.lines).toEqual([expect.stringMatching(new RegExp(`^folio: Redis at REDIS_URL \\(127\\.0\\.0\\.1:${port}\\) does not answer \\(connect ECONNREFUSED.*FOLIO_REDIS_AUTOSTART=1`))]);
  }, 30_000);

  test("an unreachable database: exit 1 within 15 s, one line naming DATABASE_URL (never its password) and the fix", async () => {
    for (const host of [`127.0.0.1:${await freePort()}`, "nohost:5432"]) {
      const r = await start({ DATABASE_URL: `postgres://folio:s3cr3t-pw@${host}/folio` });
      expect(r.code).toBe(1);
      expect(r.seconds).toBeLessThan(15);
      expect(r.lines).toEqual([expect.stringContaining(`folio: the database at DATABASE_URL (${host}/folio) does not answer (`)]);
      expect(r.lines[0]).toContain("unset it to use the embedded PGlite");
      expect(r.lines[0]).not.toContain("s3cr3t");
    }
  }, 60_000);

  test("a data folder that cannot be made: one line naming FOLIO_DATA_DIR", async () => {
    const r = await start({ FOLIO_DATA_DIR: "/proc/folio-cannot-be-here" });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([expect.stringContaining("folio: cannot write to FOLIO_DATA_DIR=/proc/folio-cannot-be-here")]);
  }, 30_000);

  test("a setting out of range (PORT=70000) is refused before anything starts", async () => {
    const r = await start({ PORT: "70000" });
    expect([r.code, r.lines]).toEqual([1, ['folio: Invalid PORT="70000": must be at most 65535']]);
  }, 30_000);
});
