import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { connect } from "node:net";
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
    throw new Error(
      `Nothing answers at REDIS_URL (${host}:${portNum}) and redis-server is not on PATH. ` +
        "Install Redis (Debian: apt-get install redis-server) or point REDIS_URL at one.",
    );
  }
  const dir = privateDir(resolve(dataDir, "redis"));
  const password = randomBytes(24).toString("hex");
  const settings = [`port ${portNum}`, `bind ${host}`, `dir "${dir}"`, "appendonly yes", 'save ""', `requirepass ${password}`];
  const proc = Bun.spawn(["redis-server", "-"], { stdin: new Blob([`${settings.join("\n")}\n`]), stdout: "ignore", stderr: "inherit" });
  for (let i = 0; i < 100 && !(await isListening(host, portNum)); i++) await Bun.sleep(50);
  if (!(await isListening(host, portNum))) {
    proc.kill();
    throw new Error(`redis-server did not start on ${host}:${portNum}`);
  }
  parsed.password = password;
  return {
    url: parsed.href,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}
