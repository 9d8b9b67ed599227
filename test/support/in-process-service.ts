/**
 * The service started inside the test process, built from a config made here (src/runtime.ts
 * makes that possible): no subprocess, no Bun and pdf.js start-up per test file. Only the
 * given settings count, not the test runner's environment. Tests of processes themselves
 * (signals, crashes, several processes) keep test/support/service-process.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { startService } from "../../src/service/index.ts";
import { freePort } from "./service-process.ts";

export interface InProcessService {
  url: string;
  prefix: string;
  /** Its data directory (uploads/ holds the stored files). */
  dataDir: string;
  /** Stops the service (drains its threads, closes its database and connections); once. */
  stop(): Promise<void>;
  /** Removes its data directory (its PGlite and files). */
  cleanup(): void;
}

/** `share`: another service's data directory and prefix, for two processes of one deployment (then `cleanup` leaves the directory to it). */
export async function startInProcess(opts: { name: string; env?: Record<string, string>; share?: InProcessService }): Promise<InProcessService> {
  const dataDir = opts.share?.dataDir ?? mkdtempSync(join(tmpdir(), `folio-${opts.name}-`));
  const prefix = opts.share?.prefix ?? `{folio-test-${opts.name}-${process.pid}-${Date.now()}}`;
  const cfg = loadConfig({ PORT: String(await freePort()), FOLIO_DATA_DIR: dataDir, FOLIO_REDIS_PREFIX: prefix, LOG_LEVEL: "warn", ...opts.env });
  const service = await startService(cfg, { role: "all" });
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${service.port}`,
    prefix,
    dataDir,
    stop: () => (stopping ??= service.stop()),
    cleanup: () => (opts.share ? undefined : rmSync(dataDir, { recursive: true, force: true })),
  };
}
