/** The declared pipelines: what derives from the table, and a toy three-stage pipeline run end to end on Redis. */
import { afterAll, expect, test } from "bun:test";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { loadConfig } from "../../src/config.ts";
import { bullJobIds, folioJobId, PIPELINE_TABLE, QUEUE_NAMES, roleOf, type PipelineTable } from "../../src/jobs/pipelines.ts";
import type { PdfJobData } from "../../src/queues/job-data.ts";
import { Producer } from "../../src/queues/producer.ts";

test("stage numbers, roles and BullMQ ids are the ones jobs already in Redis carry", () => {
  expect(QUEUE_NAMES).toEqual(["url-fetch", "pdf-notes-optimized", "pdf-extract", "ai-notes", "completion"]);
  expect(Object.fromEntries(QUEUE_NAMES.map((q) => [q, roleOf(q)]))).toEqual({
    "url-fetch": { stage: 0, first: true },
    "pdf-notes-optimized": { stage: 1, first: true },
    "pdf-extract": { stage: 1, first: true },
    "ai-notes": { stage: 2, first: false },
    completion: { stage: 3, first: false },
  });
  expect(bullJobIds("j_1")).toEqual([
    { queue: "url-fetch", id: "j_1-fetch" },
    { queue: "pdf-notes-optimized", id: "j_1" },
    { queue: "pdf-extract", id: "j_1-extract" },
    { queue: "ai-notes", id: "j_1-notes" },
    { queue: "completion", id: "j_1" },
  ]);
  for (const { id } of bullJobIds("j_abc")) expect(folioJobId(id)).toBe("j_abc");
  expect(Object.keys(PIPELINE_TABLE)).toEqual(["optimized", "staged"]);
});

const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
const prefix = `{folio-test-pipelines-${process.pid}-${Date.now()}}`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

test("a toy three-stage pipeline, declared in one entry, runs end to end in order", async () => {
  const toy = {
    toy: [
      { queue: "toy-read", idSuffix: "read", does: "read" },
      { queue: "toy-think", idSuffix: "think", does: "think" },
      { queue: "toy-write", idSuffix: "", does: "write" },
    ],
  } satisfies PipelineTable;
  expect(roleOf("toy-think", toy)).toEqual({ stage: 2, first: false });
  const cfg = loadConfig({ FOLIO_REDIS_PREFIX: prefix });
  const producer = new Producer(cfg, redis, toy);
  const ran: string[] = [];
  const workers = toy.toy.map(
    (s) =>
      new Worker<PdfJobData>(
        s.queue,
        async (job) => {
          ran.push(`${s.queue}:${job.id}:${roleOf(s.queue, toy).stage}`);
          // The last stage sees what the stage before it returned, as completion sees ai-notes'.
          const before = Object.values(await job.getChildrenValues<string>());
          return [...before, s.does].join(" → ");
        },
        { connection: redis.duplicate(), prefix },
      ),
  );
  await producer.enqueue({ jobId: "j_toy", userId: "u", fileId: "f", storageKey: "k", sha256: "x", pipeline: "toy" as never, acceptedAt: Date.now() });
  const last = new Queue("toy-write", { connection: redis, prefix });
  let result: unknown;
  for (let i = 0; i < 100 && result === undefined; i++, await Bun.sleep(50)) result = (await last.getJob("j_toy"))?.returnvalue ?? undefined;
  expect(result).toBe("read → think → write");
  expect(ran).toEqual(["toy-read:j_toy-read:1", "toy-think:j_toy-think:2", "toy-write:j_toy:3"]);
  await Promise.all(workers.map((w) => w.close()));
  await last.close();
  await producer.close();
});
