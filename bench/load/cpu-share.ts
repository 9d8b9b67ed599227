import { cpuSeconds } from "../lib/proc.ts";

/** Where a run's CPU went: the service, this process (load generator and model stand-in) and Redis. */
export interface CpuShare {
  wallMs: number;
  serviceMs: number;
  harnessMs: number;
  redisMs: number;
}

/** The pid of the Redis at 127.0.0.1:PORT, from its own INFO; undefined when none answers. */
export function redisPid(port = 6379): number | undefined {
  const out = Bun.spawnSync(["redis-cli", "-p", String(port), "info", "server"]).stdout.toString();
  const pid = /process_id:(\d+)/.exec(out)?.[1];
  return pid ? Number(pid) : undefined;
}

/**
 * Starts counting; `stop()` gives the shares. The harness shares the machine's cores with
 * the service, so a bound that gives the service every core overstates what it could do.
 */
export function startCpuShare(servicePid: number, redis: number | undefined): { stop(): CpuShare } {
  const t0 = performance.now();
  const s0 = cpuSeconds(servicePid);
  const h0 = process.cpuUsage();
  const r0 = redis ? cpuSeconds(redis) : 0;
  return {
    stop() {
      const h = process.cpuUsage(h0);
      return {
        wallMs: performance.now() - t0,
        serviceMs: (cpuSeconds(servicePid) - s0) * 1000,
        harnessMs: (h.user + h.system) / 1000,
        redisMs: redis ? (cpuSeconds(redis) - r0) * 1000 : 0,
      };
    },
  };
}
