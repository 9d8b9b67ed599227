/**
 * Entry point of one worker thread: hosts the BullMQ consumer of one queue. The database
 * is reached through the owner thread (see db/store-rpc.ts); Redis through this thread's
 * own connections.
 */
import { parentPort, threadId, workerData, type MessagePort } from "node:worker_threads";
import { remoteJobStore } from "./store-rpc.ts";
import { createCaches } from "../src/cache/index.ts";
import { log } from "../src/log.ts";
import { onNonConnectionError } from "../src/dependencies/outage-log.ts";
import { watchedStorage } from "../src/dependencies/watched-storage.ts";
import { ConsumerMetrics } from "../src/monitoring/consumer-metrics.ts";
import { LatencyRecorder } from "../src/monitoring/latency.ts";
import { breakerBoard } from "../src/monitoring/breaker-board.ts";
import { countModelCall } from "../src/monitoring/counters.ts";
import { threadMetrics } from "../src/monitoring/process-metrics.ts";
import { startLoopBoard } from "../src/monitoring/loop-board.ts";
import { hostname } from "node:os";
import { startTracing, stopTracing } from "../src/tracing/tracing.ts";
import { remoteExtractor } from "../src/extraction/pool-rpc.ts";
import { DownloadSlots } from "../src/ingest/download-slots.ts";
import { rememberTooComplex } from "../src/extraction/too-complex-memo.ts";
import { createBreaker, createExtractive, createCallGuards, createGenerator } from "../src/notes/index.ts";
import { TextStore } from "../src/cache/text-store.ts";
import type { QueueName } from "../src/jobs/pipelines.ts";
import { LiveLimits } from "../src/queues/live-limits.ts";
import { queueTuning } from "../src/queues/worker-options.ts";
import { Producer } from "../src/queues/producer.ts";
import { webhookQueue } from "../src/webhooks/webhook-queue.ts";
import { createRuntime } from "../src/runtime.ts";
import { createStorage } from "../src/storage/index.ts";
import { JobLifecycle } from "../src/jobs/lifecycle.ts";
import { TokenBudget } from "../src/jobs/token-budget.ts";
import { startConsumer, type ConsumerDeps } from "./consumer.ts";
import { CONSUMERS } from "./consumers.ts";
import type { HostMessage, ThreadCalls, ThreadData, ThreadMessage } from "./thread-messages.ts";
import { serveRpc } from "../src/threads/port-rpc.ts";

const { options: o, queue, port, extractPort, l1Buffer } = workerData as ThreadData;
const runtime = createRuntime(o.runtime);
const redis = runtime.redis;
log.setBindings({ role: "worker", queue });
startTracing(o.tracing, queue);

const prom = threadMetrics(queue);
const latency = new LatencyRecorder(redis("commands"), o.prefix, `${process.pid}:${threadId}`);
const store = remoteJobStore(port);
const webhooks = webhookQueue(o.webhooks, redis("commands"));
const breaker = createBreaker(o.notes, redis("commands"));
const deps: ConsumerDeps = {
  options: o.consumer,
  redis,
  breaker,
  storage: watchedStorage(createStorage(o.storage), {
    failed: (err) => parentPort!.postMessage({ type: "storage", ok: false, err: (err as Error).message } satisfies ThreadMessage),
    recovered: () => parentPort!.postMessage({ type: "storage", ok: true } satisfies ThreadMessage),
  }),
  caches: createCaches(o.caches, redis("commands"), l1Buffer),
  store,
  generator: createGenerator(
    o.notes,
    breaker,
    (call) => {
      prom.modelCall(call);
      void countModelCall(redis("commands"), o.prefix, call).catch(() => {});
    },
    createCallGuards(o.notes, redis("commands")),
  ),
  fallback: o.notes.fallback ? createExtractive(o.notes) : undefined,
  tokens: new TokenBudget(redis("commands"), o.prefix, o.userTokensPerDay),
  texts: new TextStore(redis("commands"), o.prefix, o.textTtlS),
  metrics: new ConsumerMetrics(redis("commands"), o.prefix, latency, prom, o.metricsLogEvery),
  extractor: rememberTooComplex(remoteExtractor(extractPort), redis("commands"), o.prefix, o.tooComplexTtlS),
  producer: new Producer(o.producer, redis("commands")),
  lifecycle: new JobLifecycle({ store, announce: (jobId) => webhooks.announce(jobId) }),
  // A slot's lease outlives every attempt of one download, so only a dead worker's slot expires.
  downloadSlots: new DownloadSlots(redis("commands"), o.prefix, o.consumer.fetchesPerUser, o.consumer.download.timeoutMs * (o.consumer.download.retries + 2)),
};

// Post this thread's AI breaker (if it made model calls) where every process's monitoring reads it.
const stopBreakerBeat = breakerBoard(redis("commands"), o.prefix).beat(`${process.pid}:${threadId}`, () => breaker?.state());

const stopLoopBoard = startLoopBoard(redis("commands"), o.prefix, `${hostname()}:${process.pid}`, queue);

const consumer = CONSUMERS[queue];
const worker = startConsumer(consumer, deps);
onNonConnectionError(worker, (err) => log.error({ err: err.message }, "worker error"));
// An operator's PUT /admin/limits reaches this worker within a second or two, and a restarted process starts from it.
const stopFollowing = new LiveLimits(redis("commands"), o.prefix).follow(queue, worker, `${hostname()}:${process.pid}`, queueTuning(o.consumer.tuning, queue).concurrency);
await worker.waitUntilReady();

const send = (m: ThreadMessage) => parentPort!.postMessage(m);

serveRpc(parentPort!, { metrics: () => prom.snapshot() } satisfies ThreadCalls);

parentPort!.on("message", async (m: HostMessage) => {
  if (m.type !== "drain") return;
  // close() waits for active jobs; past the drain timeout, leave them to be picked up
  // again as stalled rather than hold the shutdown forever.
  const timedOut = await Promise.race([
    worker.close().then(() => false),
    Bun.sleep(m.timeoutMs).then(() => true),
  ]);
  if (timedOut) await worker.close(true);
  stopBreakerBeat();
  stopFollowing();
  stopLoopBoard();
  await Promise.all([deps.producer.close(), webhooks.close()]).catch(() => {});
  await latency.close().catch(() => {});
  await runtime.close();
  await stopTracing();
  send({ type: "drained", timedOut });
  port.close();
  extractPort.close();
  process.exit(0);
});

send({ type: "ready" });
