import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { connect } from "node:net";

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
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` for a user who has none running, with its data under dataDir and
 * appendonly on so queued jobs survive a restart of the service.
 */
export async function startLocalRedis(url: string, dataDir: string): Promise<LocalRedis> {
  const { hostname, port } = new URL(url);
  const host = hostname || "127.0.0.1";
  const portNum = Number(port || 6379);
  if (await isListening(host, portNum)) return { stop: async () => {} };
  if (!Bun.which("redis-server")) {
    throw new Error(
      `Nothing answers at REDIS_URL (${host}:${portNum}) and redis-server is not on PATH. ` +
        "Install Redis (Debian: apt-get install redis-server) or point REDIS_URL at one.",
    );
  }
  const dir = resolve(dataDir, "redis");
  mkdirSync(dir, { recursive: true });
  const proc = Bun.spawn(
    ["redis-server", "--port", String(portNum), "--bind", host, "--dir", dir, "--appendonly", "yes", "--save", ""],
    { stdout: "ignore", stderr: "inherit" },
  );
  for (let i = 0; i < 100 && !(await isListening(host, portNum)); i++) await Bun.sleep(50);
  if (!(await isListening(host, portNum))) {
    proc.kill();
    throw new Error(`redis-server did not start on ${host}:${portNum}`);
  }
  return {
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}
