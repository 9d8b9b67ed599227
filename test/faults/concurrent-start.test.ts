/**
 * A first deploy: a server and three workers started at the same instant on an empty
 * Postgres database, five times over. Every process comes up (the migrations run once,
 * under an advisory lock, while the others wait for it).
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freshDatabase } from "../support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

test("5 rounds: server + 3 workers started together on a fresh database all come up", async () => {
  for (let round = 1; round <= 5; round++) {
    const db = await freshDatabase(`start${round}`);
    const prefix = `{folio-test-start-${process.pid}-${round}}`;
    const env = { DATABASE_URL: db.url, FOLIO_EXTRACT_THREADS: "1" };
    // One machine: the processes share their file storage, as the workers check at start.
    const dataDir = mkdtempSync(join(tmpdir(), `folio-start-${round}-`));
    const started = await Promise.allSettled([
      startServiceProcess({ name: `start-${round}-server`, args: ["--role", "server"], prefix, env, dataDir }),
      ...[1, 2, 3].map((w) => startServiceProcess({ name: `start-${round}-workers-${w}`, workersOnly: true, prefix, env, dataDir })),
    ]);
    const up = started.filter((s): s is PromiseFulfilledResult<ServiceProcess> => s.status === "fulfilled").map((s) => s.value);
    for (const s of up) {
      await s.stop();
      s.cleanup();
    }
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
    const failures = started.filter((s) => s.status === "rejected").map((s) => String((s as PromiseRejectedResult).reason));
    expect([round, failures]).toEqual([round, []]);
  }
}, 600_000);
