/**
 * How many jobs a second one Redis Cluster master sustains for Folio: Folio keeps every
 * key in one slot (the prefix's hash tag), so one master serves all its queues.
 * `bun bench/cluster-throughput.ts [--jobs 20000]`: a local 3+3 cluster against the
 * machine's plain Redis, BullMQ add + process of empty jobs (concurrency 50), same run.
 */
import { Queue, Worker } from "bullmq";
import { parseArgs } from "node:util";
import { connect } from "../src/redis/connections.ts";
import { startLocalCluster } from "../test/support/redis-cluster.ts";

const { values } = parseArgs({ options: { jobs: { type: "string", default: "20000" } } });
const jobs = Number(values.jobs);

async function jobsPerSecond(url: string): Promise<number> {
  const prefix = `{folio-bench-${process.pid}}`;
  const conn = connect(url, { maxRetriesPerRequest: null });
  const queue = new Queue("bench", { connection: conn, prefix });
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const worker = new Worker("bench", async () => {}, { connection: conn.duplicate(), prefix, concurrency: 50 });
  worker.on("completed", () => ++done === jobs && finish());
  const started = performance.now();
  for (let i = 0; i < jobs; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({ name: "j", data: { n: i + k }, opts: { removeOnComplete: true } })));
  }
  await finished;
  const rate = jobs / ((performance.now() - started) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await conn.quit();
  return rate;
}

const cluster = await startLocalCluster();
try {
  const single = await jobsPerSecond("redis://127.0.0.1:6379");
  const clustered = await jobsPerSecond(cluster.url);
  console.log(`| Redis | jobs/s (add + process, ${jobs} empty jobs) |\n|---|---|\n| plain Redis | ${single.toFixed(0)} |\n| one master of a 3+3 cluster | ${clustered.toFixed(0)} (${(clustered / single).toFixed(2)} of plain) |`);
} finally {
  await cluster.stop();
}
process.exit(0);
