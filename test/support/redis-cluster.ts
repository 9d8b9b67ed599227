import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { isListening } from "../../src/dependencies/local-redis.ts";
import { spawnGuarded } from "./process-guard.ts";
import { freePort } from "./service-process.ts";

export interface LocalCluster {
  /** REDIS_URL for Folio: every node as a seed. */
  url: string;
  ports: number[];
  /** The port of the master that serves `key`'s slot. */
  masterFor(key: string): Promise<number>;
  /** kill -9 of one node. */
  kill(port: number): Promise<void>;
  stop(): Promise<void>;
}

function killGroup(proc: Subprocess): void {
  try {
    process.kill(-proc.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

const cli = (port: number, ...args: string[]) => Bun.spawnSync(["redis-cli", "-p", String(port), ...args], { stdout: "pipe", stderr: "pipe" }).stdout.toString().trim();

/**
 * A real Redis Cluster on this machine: `masters` masters with one replica each
 * (`redis-server --cluster-enabled yes` on free ports, joined by `redis-cli --cluster
 * create`), a short node timeout so a replica takes over within seconds.
 */
export async function startLocalCluster(masters = 3, nodeTimeoutMs = 2000): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), "folio-cluster-"));
  const ports: number[] = [];
  const procs = new Map<number, Subprocess>();
  // Every node and bus port distinct: a port handed out twice would leave a node unable to
  // bind, and the cluster would never form.
  const taken = new Set<number>();
  const distinctPort = async () => {
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    return port;
  };
  for (let i = 0; i < masters * 2; i++) {
    const port = await distinctPort();
    // The cluster bus defaults to port + 10000, which may be taken or past 65535: name a free one.
    const busPort = await distinctPort();
    ports.push(port);
    const nodeDir = join(dir, String(port));
    Bun.spawnSync(["mkdir", "-p", nodeDir]);
    procs.set(
      port,
      spawnGuarded(
        ["redis-server", "--port", String(port), "--cluster-port", String(busPort), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", join(nodeDir, "nodes.conf"), "--cluster-node-timeout", String(nodeTimeoutMs), "--dir", nodeDir, "--save", "", "--appendonly", "no"],
        { stdout: "ignore", stderr: "ignore" },
      ),
    );
  }
  for (const port of ports) for (let i = 0; i < 100 && !(await isListening("127.0.0.1", port)); i++) await Bun.sleep(50);
  const created = Bun.spawnSync(["redis-cli", "--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "1", "--cluster-yes"], { stdout: "pipe", stderr: "pipe" });
  if (created.exitCode !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stderr.toString()}`);
  // Up means every slot served, every master with a replica, and every replica's link to its
  // master up (a replica that never synced would not take over).
  const ready = () => {
    if (!ports.every((p) => cli(p, "cluster", "info").includes("cluster_state:ok"))) return false;
    const roles = ports.map((p) => cli(p, "info", "replication"));
    const replicas = roles.filter((r) => r.includes("role:slave"));
    return replicas.length === masters && replicas.every((r) => r.includes("master_link_status:up"));
  };
  for (let i = 0; i < 300 && !ready(); i++) await Bun.sleep(100);
  if (!ready()) throw new Error("the local cluster did not come up with a synced replica per master");
  const self: LocalCluster = {
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(",")}`,
    ports,
    async masterFor(key) {
      const slot = Number(cli(ports.find((p) => procs.get(p)!.exitCode === null)!, "cluster", "keyslot", key));
      for (const port of ports) {
        if (procs.get(port)!.exitCode !== null) continue;
        if (cli(port, "role").split("\n")[0] !== "master") continue;
        // CLUSTER NODES: the `myself` line ends with the slot ranges this master serves.
        const myself = cli(port, "cluster", "nodes").split("\n").find((l) => l.includes("myself"))!;
        const serves = myself
          .split(" ")
          .slice(8)
          .some((range) => {
            const [a, b] = range.split("-").map(Number);
            return slot >= a! && slot <= (b ?? a!);
          });
        if (serves) return port;
      }
      throw new Error(`no live master serves slot ${slot}`);
    },
    async kill(port) {
      // The whole process group: redis-server runs under exit-with-parent's wrapper.
      killGroup(procs.get(port)!);
      await procs.get(port)!.exited;
    },
    async stop() {
      for (const p of procs.values()) killGroup(p);
      await Promise.all([...procs.values()].map((p) => p.exited));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}
