/**
 * The declared pipelines: what derives from the table, and a toy three-stage pipeline declared
 * the way a new stage would be, run end to end through the consumers' own start-up on Redis and PGlite.
 */
import { runtimeOptions } from "../../src/options.ts";
import { threadOptions } from "../../workers/thread-options.ts";
import { afterAll, expect, test } from "bun:test";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { openDatabase } from "../../db/client.ts";
import { localJobStore } from "../../db/job-store.ts";
import { JobsRepo } from "../../db/jobs-repo.ts";
import { StatusWriter } from "../../db/status-writer.ts";
import { loadConfig } from "../../src/config.ts";
import { producerOptions } from "../../src/options.ts";
import { JobLifecycle } from "../../src/jobs/lifecycle.ts";
import type { Phase } from "../../src/jobs/phases.ts";
import { ConsumerMetrics } from "../../src/monitoring/consumer-metrics.ts";
import { LatencyRecorder } from "../../src/monitoring/latency.ts";
import { threadMetrics } from "../../src/monitoring/process-metrics.ts";
import { createRuntime } from "../../src/runtime.ts";
import { jobView } from "../../src/views/job-view.ts";
import { startConsumer, type Consumer, type ConsumerDeps } from "../../workers/consumer.ts";
import { bullJobIds, folioJobId, PIPELINE_TABLE, QUEUE_NAMES, roleOf, type PipelineTable } from "../../src/jobs/pipelines.ts";
import type { PdfJobData } from "../../src/queues/job-data.ts";
import { Producer } from "../../src/queues/producer.ts";

test("stage numbers, roles and BullMQ ids are the ones jobs already in Redis carry", () => {
  expect(QUEUE_NAMES).toEqual(["url-fetch", "pdf-notes-optimized", "pdf-extract", "ai-notes", "completion"]);
  expect(Object.fromEntries(QUEUE_NAMES.map((q) => [q, (({ stage, first }) => ({ stage, first }))(roleOf(q))]))).toEqual({
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
const database = await openDatabase({ pgliteDir: "memory://" });
const repo = new JobsRepo(database.db);
const writer = new StatusWriter(database, { flushMs: 10, batchSize: 100, maxPending: 1000 });
const lifecycle = new JobLifecycle({ store: localJobStore(repo, writer), announce: async () => {} }, repo);
afterAll(async () => {
  await writer.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await database.close();
});

const tuning = (concurrency: number) => ({ concurrency, limiterMax: 0, drainDelay: 1, lockDuration: 30000, stalledInterval: 30000, backoffBaseMs: 0 });
/** A pipeline of three stages that runs the real phases: the way a new stage would be declared. */
const toy = {
  toy: [
    { queue: "toy-read", idSuffix: "read", does: "read", phases: ["downloading"], tuning: { baseline: tuning(1), optimized: tuning(3) } },
    { queue: "toy-think", idSuffix: "think", does: "think", phases: ["extracting", "generating"], tuning: { baseline: tuning(1), optimized: tuning(4) } },
    { queue: "toy-write", idSuffix: "", does: "write", phases: ["saving"], tuning: { baseline: tuning(1), optimized: tuning(5) } },
  ],
} as const satisfies PipelineTable;

/** Each toy stage does its phases' work through the tracker, as the PDF stages do, and hands on what it got. */
function toyConsumer(queue: string, phases: readonly Phase[]): Consumer<PdfJobData, string> {
  return {
    queue,
    async process(job, t) {
      for (const phase of phases) {
        await t.enter(phase);
        await t.timed(phase, () => Bun.sleep(5));
        await t.leave(phase);
      }
      const before = Object.values(await job.getChildrenValues<string>());
      if (queue !== "toy-write") return [...before, queue].join(" → ");
      await t.completed("n_toy");
      return [...before, queue].join(" → ");
    },
  };
}

test("a stage declared in one entry runs through startConsumer with its declared tuning, and the job view shows its phases' timings", async () => {
  expect(roleOf("toy-think", toy)).toMatchObject({ stage: 2, first: false });
  const cfg = loadConfig({ FOLIO_REDIS_PREFIX: prefix });
  const runtime = createRuntime(runtimeOptions(cfg));
  const metrics = new ConsumerMetrics(runtime.redis(), prefix, new LatencyRecorder(runtime.redis(), prefix, "toy"), threadMetrics("toy"), 1000);
  // The toy stages use none of the PDF stages' parts (storage, caches, the extractor, the model).
  const deps = { options: threadOptions(cfg).consumer, redis: runtime.redis, lifecycle, metrics } as Partial<ConsumerDeps> as ConsumerDeps;
  const workers = toy.toy.map((s) => startConsumer(toyConsumer(s.queue, s.phases), deps, toy));
  expect(workers.map((w) => w.concurrency)).toEqual([3, 4, 5]);

  await lifecycle.created(
    { id: "f_toy", userId: "u", sha256: "x", size: 1, filename: "a.pdf", storageKey: "k" },
    { id: "j_toy", userId: "u", fileId: "f_toy", pipeline: "toy", status: "queued" },
  );
  const producer = new Producer(producerOptions(cfg), redis, toy);
  await producer.enqueue({ jobId: "j_toy", userId: "u", fileId: "f_toy", storageKey: "k", sha256: "x", pipeline: "toy" as never, acceptedAt: Date.now() });
  const last = new Queue("toy-write", { connection: redis, prefix });
  let result: unknown;
  for (let i = 0; i < 200 && result === undefined; i++, await Bun.sleep(50)) result = (await last.getJob("j_toy"))?.returnvalue ?? undefined;
  expect(result).toBe("toy-read → toy-think → toy-write");
  await writer.flush();
  const view = jobView((await repo.getJob("j_toy", "u"))!);
  expect(view).toMatchObject({ status: "completed", progress: 100, notesId: "n_toy" });
  for (const key of ["waitMs", "downloadMs", "extractMs", "aiMs", "saveMs"] as const) expect(view.timings[key]).toBeGreaterThanOrEqual(5 * Number(key !== "waitMs"));
  expect(view.timings.ocrMs).toBeNull();

  await Promise.all(workers.map((w) => w.close()));
  await last.close();
  await producer.close();
  await runtime.close();
});

test("a stage writing a phase it does not declare is a mistake the tracker names", () => {
  const t = lifecycle.track({ jobId: "j_x" }, 3, 1, ["saving"]);
  expect(() => t.enter("generating")).toThrow('stage 3 does not run the phase "generating": declare it in the pipeline table');
});
