/**
 * Every process a test starts goes through `spawnGuarded`: it runs in a process group of its
 * own, and the groups still alive are killed when the runner ends (the preload's afterAll),
 * exits, or is interrupted (SIGINT, SIGTERM, SIGHUP). The child side, for when the runner
 * dies by SIGKILL, is exit-with-parent.ts.
 */
import { resolve } from "node:path";
import type { SpawnOptions, Subprocess } from "bun";

const EXIT_WITH_PARENT = resolve(import.meta.dir, "exit-with-parent.ts");
/**
 * The process groups started, kept after their leader exits: a wrapper killed on its own
 * (SIGKILL cannot be forwarded) leaves its child in the group, and that must go too.
 */
const groups = new Set<number>();

export function spawnGuarded<Opts extends SpawnOptions.OptionsObject<any, any, any>>(cmd: string[], opts: Opts): Subprocess {
  const argv = cmd[0] === "bun" ? ["bun", "--preload", EXIT_WITH_PARENT, ...cmd.slice(1)] : ["bun", EXIT_WITH_PARENT, ...cmd];
  const proc = Bun.spawn(argv, { ...opts, detached: true });
  groups.add(proc.pid);
  return proc;
}

export function killAllGuarded(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  groups.clear();
}

process.on("exit", killAllGuarded);
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
  process.on(signal, () => {
    killAllGuarded();
    process.exit(code);
  });
}
