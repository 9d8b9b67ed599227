/**
 * Job-status writes: N updates as per-row UPDATEs, as the seed's batches of 20 single
 * UPDATEs run 5 at a time, and as Folio's one statement per flush. PGlite and Postgres.
 * `bun bench/status-writes.ts [--rows 500,5000]`
 */
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { openDatabase, type Database } from "../db/client.ts";
import { statusSeq, type StatusChange } from "../db/job-status.ts";
import { jobs } from "../db/schema.ts";
import { batchUpdateSql } from "../db/status-writer.ts";
import { freshDatabase } from "../test/support/postgres.ts";

const { values } = parseArgs({ options: { rows: { type: "string", default: "500,5000" } } });
const sizes = values.rows!.split(",").map(Number);

async function seed(db: Database, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `j_bench_${i}`);
  await db.db.delete(jobs);
  for (let i = 0; i < n; i += 1000) {
    await db.db.insert(jobs).values(
      ids.slice(i, i + 1000).map((id) => ({ id, userId: "u", fileId: "f", pipeline: "optimized", status: "queued" })),
    );
  }
  return ids;
}

const changes = (ids: string[], round: number): StatusChange[] =>
  ids.map((jobId) => ({ jobId, status: "extracting", progress: round, seq: statusSeq(0, 1, "extracting") }));

async function perRow(db: Database, cs: StatusChange[]) {
  for (const c of cs) await db.db.update(jobs).set({ status: c.status, progress: c.progress }).where(eq(jobs.id, c.jobId));
}

async function seedBatches(db: Database, cs: StatusChange[]) {
  const batches: StatusChange[][] = [];
  for (let i = 0; i < cs.length; i += 20) batches.push(cs.slice(i, i + 20));
  const worker = async () => {
    for (let b = batches.shift(); b; b = batches.shift()) {
      await Promise.all(b.map((c) => db.db.update(jobs).set({ status: c.status, progress: c.progress }).where(eq(jobs.id, c.jobId))));
    }
  };
  await Promise.all(Array.from({ length: 5 }, worker));
}

async function oneStatement(db: Database, cs: StatusChange[]) {
  for (let i = 0; i < cs.length; i += 5000) await db.run(batchUpdateSql(cs.slice(i, i + 5000)));
}

async function time(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const pg = await freshDatabase("bench");
const targets: [string, Database][] = [
  ["pglite", await openDatabase({ pgliteDir: "memory://" })],
  ["postgres", await openDatabase({ url: pg.url, poolSize: 10 })],
];
console.log("| database | rows | per-row UPDATE | seed: 20 at a time ×5 | one statement | one statement vs per-row |");
console.log("|---|---|---|---|---|---|");
try {
  for (const [name, db] of targets) {
    for (const n of sizes) {
      const ids = await seed(db, n);
      let round = 1;
      const med = async (fn: (db: Database, cs: StatusChange[]) => Promise<void>) => {
        const runs: number[] = [];
        for (let r = 0; r < 3; r++) runs.push(await time(() => fn(db, changes(ids, round++))));
        return runs.sort((a, b) => a - b)[1]!;
      };
      const a = await med(perRow);
      const b = await med(seedBatches);
      const c = await med(oneStatement);
      const f = (ms: number) => `${ms.toFixed(1)} ms (${Math.round((n / ms) * 1000)}/s)`;
      console.log(`| ${name} | ${n} | ${f(a)} | ${f(b)} | ${f(c)} | ${(a / c).toFixed(1)}× |`);
    }
  }
} finally {
  for (const [, db] of targets) await db.close();
  await pg.drop();
}
