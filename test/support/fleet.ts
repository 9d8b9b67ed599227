import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freshDatabase } from "./postgres.ts";
import type { ServiceProcess } from "./service-process.ts";

/**
 * What a test of several service processes (a server and workers, as a deployment runs them)
 * shares and must clean up: the processes, one data directory and one Postgres database.
 * `stop()` ends the processes, last started first, then drops the database and the directory.
 */
export function fleetScope(name: string) {
  const procs: ServiceProcess[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), `folio-${name}-`));
  let drop: (() => Promise<void>) | undefined;
  return {
    procs,
    dataDir,
    /** A fresh database for the fleet: its URL. */
    async database(dbName: string): Promise<string> {
      const db = await freshDatabase(dbName);
      drop = db.drop;
      return db.url;
    },
    async stop(): Promise<void> {
      for (const p of procs.reverse()) {
        await p.stop();
        p.cleanup();
      }
      await drop?.();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
