/** A worker that cannot read the server's file storage refuses to start, with one line saying what to use. */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freshDatabase } from "../support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

const ROOT = resolve(import.meta.dir, "../..");
let server: ServiceProcess | undefined;
let workers: ServiceProcess | undefined;
let db: Awaited<ReturnType<typeof freshDatabase>> | undefined;
const otherMachine = mkdtempSync(join(tmpdir(), "folio-other-machine-"));
afterAll(async () => {
  for (const s of [workers, server]) {
    await s?.stop();
    s?.cleanup();
  }
  await db?.drop();
  rmSync(otherMachine, { recursive: true, force: true });
});

test("workers with local storage that is not the server's exit with one line; with the same storage they start", async () => {
  db = await freshDatabase("sharedcheck");
  server = await startServiceProcess({ name: "shared-check-server", args: ["--role", "server"], env: { DATABASE_URL: db.url } });
  const refused = Bun.spawnSync(["bun", "src/cli/start.ts", "--role", "workers"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: db.url, FOLIO_REDIS_PREFIX: server.prefix, FOLIO_DATA_DIR: otherMachine, FOLIO_WORKER_PORT: "0" },
    stderr: "pipe",
    timeout: 60_000,
  });
  expect(refused.exitCode).toBe(1);
  const err = refused.stderr.toString().trim();
  expect(err.split("\n")).toHaveLength(1);
  expect(err).toContain("Supabase Storage");
  expect(err).toContain("FOLIO_DATA_DIR");
  workers = await startServiceProcess({ name: "shared-check-workers", workersOnly: true, prefix: server.prefix, dataDir: server.dataDir, env: { DATABASE_URL: db.url } });
  expect((await fetch(`${workers.url}/ready`)).status).toBe(200);
}, 120_000);
