/** The producer's fair shares on real Redis: the order a BullMQ worker takes jobs in, with and without them. */
import { afterAll, expect, test } from "bun:test";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { bullJobId } from "../../src/jobs/pipelines.ts";
import type { PdfJobData } from "../../src/queues/job-data.ts";
import { Producer } from "../../src/queues/producer.ts";

const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  }
  redis.disconnect();
});

const data = (jobId: string, userId: string, rank: number, pipeline: PdfJobData["pipeline"] = "optimized"): PdfJobData => ({
  jobId,
  userId,
  fileId: `f_${jobId}`,
  storageKey: "k",
  sha256: "x",
  pipeline,
  acceptedAt: Date.now(),
  rank,
});

/** Alice's 12 jobs are queued (ranks 1…12), then Bob's first: the order one worker takes them in. */
async function order(fairShares: boolean): Promise<string[]> {
  const prefix = `{folio-test-producer-${process.pid}-${prefixes.length}}`;
  prefixes.push(prefix);
  const producer = new Producer({ prefix, attempts: 1, keepCompleted: 100, keepFailed: 100, fairShares }, redis);
  for (let i = 1; i <= 12; i++) await producer.enqueue(data(`j_a${i}`, "alice", i));
  await producer.enqueue(data("j_b1", "bob", 1));
  const taken: string[] = [];
  const worker = new Worker("pdf-notes-optimized", async (job) => void taken.push(job.data.jobId), { connection: redis.duplicate(), prefix, concurrency: 1 });
  while (taken.length < 13) await Bun.sleep(20);
  await worker.close();
  await producer.close();
  return taken;
}

test("fair shares: a second user's first job is taken before the first user's second, whatever was queued first", async () => {
  const taken = await order(true);
  expect(taken.slice(0, 3)).toEqual(["j_a1", "j_b1", "j_a2"]);
  expect(taken.filter((id) => id.startsWith("j_a"))).toEqual(Array.from({ length: 12 }, (_, i) => `j_a${i + 1}`));
});

test("without them (FOLIO_FAIR_SHARES=off), first come, first served", async () => {
  expect((await order(false)).at(-1)).toBe("j_b1");
});

test("every stage of the staged flow carries the rank, and a job without one (the reconciler's) goes first", async () => {
  const prefix = `{folio-test-producer-${process.pid}-staged}`;
  prefixes.push(prefix);
  const producer = new Producer({ prefix, attempts: 1, keepCompleted: 100, keepFailed: 100, fairShares: true }, redis);
  await producer.enqueue(data("j_s7", "alice", 7, "staged"));
  await producer.enqueue({ ...data("j_lost", "alice", 1, "staged"), rank: undefined });
  for (const queue of ["pdf-extract", "ai-notes"]) {
    const q = new Queue(queue, { connection: redis, prefix });
    expect((await q.getJob(bullJobId("j_s7", queue)))?.opts.priority).toBe(7);
    expect((await q.getJob(bullJobId("j_lost", queue)))?.opts.priority).toBe(1);
    await q.close();
  }
  await producer.close();
});
