/**
 * What an idle service costs: `bun run bench:idle [--seconds 20]` starts the service on its
 * defaults, lets it settle, then reads /proc for the CPU each of its threads used over the
 * window, as % of one core. The figure is the service's own CPU, so a busy machine moves it
 * less than a wall-clock figure, but read it beside a run of the same command on main.
 */
import { readdirSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startServiceProcess } from "../../test/support/service-process.ts";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "20" } } });
const seconds = Number(values.seconds);

/** CPU ticks (1/100 s) per thread of a process, keyed by thread id and name. */
function threadTicks(pid: number): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks.set(`${name} (${tid})`, Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

const svc = await startServiceProcess({ name: "idle" });
try {
  await Bun.sleep(5000);
  const before = threadTicks(svc.proc.pid);
  const t0 = performance.now();
  await Bun.sleep(seconds * 1000);
  const after = threadTicks(svc.proc.pid);
  const elapsedS = (performance.now() - t0) / 1000;
  const rows = [...after].map(([thread, t]) => ({ thread, pct: (t - (before.get(thread) ?? 0)) / elapsedS })).sort((a, b) => b.pct - a.pct);
  const total = rows.reduce((sum, r) => sum + r.pct, 0);
  console.log(`idle service over ${elapsedS.toFixed(0)} s: ${total.toFixed(2)} % of a core, ${rows.length} threads`);
  console.log("| thread | % of a core |\n|---|---|");
  for (const r of rows.filter((r) => r.pct > 0)) console.log(`| ${r.thread} | ${r.pct.toFixed(2)} |`);
} finally {
  await svc.stop();
  svc.cleanup();
}
