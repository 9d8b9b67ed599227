import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { connect } from "node:net";
import { DependencyError } from "./dependency-error.ts";
import { log } from "../log.ts";
import { privateDir } from "../storage/private-dir.ts";

/** Whether something accepts TCP connections at host:port (a cheap "is Redis there?"). */
export function isListening(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

export interface LocalRedis {
  /** REDIS_URL as the service must use it: with the generated password when Folio started the server. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` for a user who has none running, with its data under dataDir and
 * appendonly on so queued jobs survive a restart of the service. It gets a password made
 * now, passed on stdin (never on a command line that `ps` shows), so another local user or
 * a page's DNS-rebound request cannot read the queues, and its folder is the owner's only.
 */
export async function startLocalRedis(url: string, dataDir: string): Promise<LocalRedis> {
  const parsed = new URL(url);
  const host = parsed.hostname || "127.0.0.1";
  const portNum = Number(parsed.port || 6379);
  if (await isListening(host, portNum)) return { url, stop: async () => {} };
  if (!Bun.which("redis-server")) {
    throw new DependencyError(
      `Nothing answers at REDIS_URL (${host}:${portNum}) and redis-server is not on PATH. ` +
        "Install Redis (Debian: apt-get install redis-server) or point REDIS_URL at one.",
    );
  }
  const dir = privateDir(resolve(dataDir, "redis"));
  const password = randomBytes(24).toString("hex");
  const settings = [`port ${portNum}`, `bind ${host}`, `dir "${dir}"`, "appendonly yes", 'save ""', `requirepass ${password}`];
  // A process group of its own: Ctrl-C (SIGINT to the terminal's group) must reach Folio
  // alone, which stops this Redis itself once its queues have drained into it.
  const proc = Bun.spawn(["redis-server", "-"], { stdin: new Blob([`${settings.join("\n")}\n`]), stdout: "ignore", stderr: "inherit", detached: true });
  for (let i = 0; i < 100 && proc.exitCode === null && !(await isListening(host, portNum)); i++) await Bun.sleep(50);
  if (!(await isListening(host, portNum))) {
    proc.kill();
    throw new DependencyError(`redis-server did not start on ${host}:${portNum} (see its lines above): free the port or point REDIS_URL at a running Redis`);
  }
  log.info({ redisPid: proc.pid, port: portNum, dataDir: dir }, `started redis-server on ${host}:${portNum} (data in ${dir}); Folio stops it when it stops`);
  // Its own group means no signal of ours reaches it: a start-up that fails after this, or
  // any other exit that skips stop(), must not leave it running.
  const orphaned = () => proc.kill("SIGTERM");
  process.once("exit", orphaned);
  parsed.password = password;
  return {
    url: parsed.href,
    async stop() {
      process.off("exit", orphaned);
      if (proc.exitCode !== null) return;
      proc.kill("SIGTERM");
      await proc.exited;
      log.info({ redisPid: proc.pid, port: portNum }, "stopped the redis-server Folio started");
    },
  };
}
