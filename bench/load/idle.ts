/**
 * What an idle service costs: `bun run bench:idle [--seconds 20]` starts the service on its
 * defaults, lets it settle, then reads /proc for the CPU each of its threads used over the
 * window, as % of one core. The figure is the service's own CPU, so a busy machine moves it
 * less than a wall-clock figure, but read it beside a run of the same command on main.
 */
import { parseArgs } from "node:util";
import { startServiceProcess } from "../../test/support/service-process.ts";
import { threadCpuSeconds } from "../lib/proc.ts";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "20" } } });
const seconds = Number(values.seconds);

const svc = await startServiceProcess({ name: "idle" });
try {
  await Bun.sleep(5000);
  const before = threadCpuSeconds(svc.proc.pid);
  const t0 = performance.now();
  await Bun.sleep(seconds * 1000);
  const after = threadCpuSeconds(svc.proc.pid);
  const elapsedS = (performance.now() - t0) / 1000;
  const rows = [...after].map(([thread, t]) => ({ thread, pct: (100 * (t - (before.get(thread) ?? 0))) / elapsedS })).sort((a, b) => b.pct - a.pct);
  const total = rows.reduce((sum, r) => sum + r.pct, 0);
  console.log(`idle service over ${elapsedS.toFixed(0)} s: ${total.toFixed(2)} % of a core, ${rows.length} threads`);
  console.log("| thread | % of a core |\n|---|---|");
  for (const r of rows.filter((r) => r.pct > 0)) console.log(`| ${r.thread} | ${r.pct.toFixed(2)} |`);
} finally {
  await svc.stop();
  svc.cleanup();
}
