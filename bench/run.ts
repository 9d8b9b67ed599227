/**
 * The hot-path suite (mitata). Every figure is a ratio to a reference measured in the same run.
 *   bun run bench            full suite, mitata's tables, then the ratio table (paste into RESULTS.md)
 *   bun run bench:check      short suite, compared with bench/baseline.json; exits 1 on a regression
 *   bun run bench:baseline   short suite 5 times: writes baseline.json with each ratio's median and a
 *                            tolerance set from the spread that was measured
 */
import { bench, group, run } from "mitata";
import { cpus } from "node:os";
import { log } from "../src/log.ts";
import { resolve } from "node:path";
import { cache } from "./cache.bench.ts";
import { enqueue } from "./enqueue.bench.ts";
import { extract } from "./extract.bench.ts";
import { hashing } from "./hashing.bench.ts";
import type { BenchSuite } from "./lib/comparison.ts";
import { notes } from "./notes.bench.ts";
import { statusFlush } from "./status-flush.bench.ts";
import { tracing } from "./tracing.bench.ts";

log.level = "warn";
const SUITES: BenchSuite[] = [hashing, cache, extract, notes, enqueue, tracing, statusFlush];
const BASELINE = resolve(import.meta.dir, "baseline.json");
const mode = process.argv.includes("--check") ? "check" : process.argv.includes("--baseline") ? "baseline" : "full";
const short = mode !== "full";

interface Row {
  name: string;
  against: string;
  ratio: number;
  target?: number;
}

async function once(): Promise<{ rows: Row[]; extras: Record<string, number> }> {
  const rows: Row[] = [];
  const extras: Record<string, number> = {};
  for (const suite of SUITES) {
    const comparisons = await suite.setup(short);
    for (const c of comparisons) {
      group(c.name, () => {
        bench(`${c.name} :: project`, c.project);
        bench(`${c.name} :: reference`, c.reference);
      });
    }
    const { benchmarks } = await run({ format: mode === "full" ? "mitata" : "quiet", colors: false });
    const avg = (alias: string) => {
      const result = benchmarks.find((b) => b.alias === alias)?.runs[0];
      if (!result?.stats) throw new Error(`${alias} failed: ${(result?.error as Error)?.message ?? "no result"}`);
      return result.stats.avg;
    };
    for (const c of comparisons) {
      rows.push({ name: c.name, against: c.against, ratio: avg(`${c.name} :: reference`) / avg(`${c.name} :: project`), target: c.target });
    }
    Object.assign(extras, (await suite.extra?.()) ?? {});
    await suite.teardown?.();
  }
  return { rows, extras };
}

const fmt = (n: number) => n.toFixed(3);

if (mode === "full") {
  const { rows, extras } = await once();
  console.log(`\n## Hot paths (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Bun ${Bun.version})\n`);
  console.log("| benchmark | reference | ratio (reference time / project time) | target |");
  console.log("|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.name} | ${r.against} | ${fmt(r.ratio)} | ${r.target ? `≥ ${r.target}` : ""} |`);
  for (const [k, v] of Object.entries(extras)) console.log(`| ${k} | | ${v} | |`);
} else if (mode === "baseline") {
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await once());
  const baseline: Record<string, { ratio: number; tolerance: number; spread: number }> = {};
  for (const r of runs[0]!.rows) {
    const ratios = runs.map((x) => x.rows.find((y) => y.name === r.name)!.ratio).sort((a, b) => a - b);
    const median = ratios[2]!;
    const spread = (ratios.at(-1)! - ratios[0]!) / median;
    // Noise measured, not guessed: twice the relative spread of 5 runs, at least 10 %.
    baseline[r.name] = { ratio: median, spread, tolerance: Math.max(0.1, 2 * spread) };
  }
  await Bun.write(BASELINE, `${JSON.stringify(baseline, null, 2)}\n`);
  console.log("| benchmark | median ratio | spread of 5 runs | tolerance |");
  console.log("|---|---|---|---|");
  for (const [k, v] of Object.entries(baseline)) console.log(`| ${k} | ${fmt(v.ratio)} | ${(v.spread * 100).toFixed(1)} % | ${(v.tolerance * 100).toFixed(0)} % |`);
} else {
  const baseline = (await Bun.file(BASELINE).json()) as Record<string, { ratio: number; tolerance: number }>;
  const below = (r: Row) => !!baseline[r.name] && r.ratio < baseline[r.name]!.ratio * (1 - baseline[r.name]!.tolerance);
  let { rows } = await once();
  // A regression must reproduce: when a ratio falls out of its band, the suite runs once more
  // and the better of the two measurements counts (a single GC pause is not a regression).
  if (rows.some(below)) {
    const again = (await once()).rows;
    rows = rows.map((r) => {
      const second = again.find((a) => a.name === r.name);
      return second && second.ratio > r.ratio ? second : r;
    });
  }
  let failed = 0;
  console.log("| benchmark | baseline ratio | now | verdict |");
  console.log("|---|---|---|---|");
  for (const r of rows) {
    const b = baseline[r.name];
    const verdict = !b ? "new (no baseline)" : below(r) ? "REGRESSION" : "ok";
    if (verdict === "REGRESSION") failed++;
    console.log(`| ${r.name} | ${b ? `${fmt(b.ratio)} ± ${(b.tolerance * 100).toFixed(0)} %` : "-"} | ${fmt(r.ratio)} | ${verdict} |`);
  }
  console.log(`\n${rows.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
process.exit(0);
