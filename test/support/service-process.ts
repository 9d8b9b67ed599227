import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { spawnGuarded } from "./process-guard.ts";

const ROOT = resolve(import.meta.dir, "../..");
export const OUTPUT_DIR = resolve(ROOT, "test-output");

export async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, fetch: () => new Response() });
  const port = server.port!;
  await server.stop(true);
  return port;
}

export interface ServiceProcess {
  url: string;
  port: number;
  prefix: string;
  dataDir: string;
  env: Record<string, string>;
  proc: Subprocess;
  logFile: string;
  /** SIGTERM and wait; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
  /** Start again with the same data dir, prefix and env. */
  restart(): Promise<ServiceProcess>;
  cleanup(): void;
}

export interface StartOptions {
  name: string;
  env?: Record<string, string>;
  args?: string[];
  dataDir?: string;
  prefix?: string;
  /** `bun run workers`: no API, only its probes (/health, /ready) on the port. */
  workersOnly?: boolean;
}

/** Runs `bun src/cli/start.ts` as users do, on a free port, with its own Redis prefix and data dir. */
export async function startServiceProcess(opts: StartOptions): Promise<ServiceProcess> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), `folio-${opts.name}-`));
  const prefix = opts.prefix ?? `{folio-test-${opts.name}-${process.pid}-${Date.now()}}`;
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    PORT: String(port),
    FOLIO_DATA_DIR: dataDir,
    FOLIO_REDIS_PREFIX: prefix,
    // A worker process answers its probes on FOLIO_WORKER_PORT: the same free port.
    ...(opts.workersOnly ? { FOLIO_WORKER_PORT: String(port) } : {}),
    ...opts.env,
  };
  const logFile = join(OUTPUT_DIR, `${opts.name}-${port}.log`);
  const args = opts.workersOnly ? ["--role", "workers", ...(opts.args ?? [])] : (opts.args ?? []);
  const proc = spawnGuarded(["bun", "src/cli/start.ts", ...args], {
    cwd: ROOT,
    env,
    stdout: Bun.file(logFile),
    stderr: Bun.file(`${logFile}.err`),
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`service ${opts.name} exited with ${proc.exitCode}; see ${logFile}.err`);
    const ok = await fetch(`${url}/ready`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      proc.kill();
      throw new Error(`service ${opts.name} not ready in 60 s; see ${logFile}`);
    }
    await Bun.sleep(200);
  }
  const self: ServiceProcess = {
    url,
    port,
    prefix,
    dataDir,
    env,
    proc,
    logFile,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null) proc.kill(signal);
      return await proc.exited;
    },
    restart: () => startServiceProcess({ ...opts, dataDir, prefix }),
    cleanup() {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return self;
}
