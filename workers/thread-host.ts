import { MessageChannel, Worker } from "node:worker_threads";
import type { JobStore } from "../db/job-store.ts";
import { serveJobStore } from "./store-rpc.ts";
import type { ExtractionPool } from "../src/extraction/pool.ts";
import { serveExtraction } from "../src/extraction/pool-rpc.ts";
import { log } from "../src/log.ts";
import type { OutageReporter } from "../src/dependencies/watched-storage.ts";
import type { QueueName } from "../src/jobs/pipelines.ts";
import type { MetricObjectWithValues, MetricValue } from "prom-client";
import type { HostMessage, ThreadCalls, ThreadData, ThreadMessage } from "./thread-messages.ts";
import type { ThreadOptions } from "./thread-options.ts";
import { rpcClient } from "../src/threads/port-rpc.ts";

interface Hosted {
  queue: QueueName;
  thread: Worker;
  calls: ReturnType<typeof rpcClient<ThreadCalls>>;
  stopping: boolean;
}

/**
 * Runs each queue's consumer in its own Bun worker thread, serves them the database
 * owner's JobStore, restarts a thread that dies, and drains them all on shutdown.
 */
export class ThreadHost {
  private readonly hosted = new Map<QueueName, Hosted>();
  private stopping = false;

  constructor(
    /** Handed to every thread, built once from the validated config: threads read no environment names. */
    private readonly options: ThreadOptions,
    private readonly store: JobStore,
    private readonly queues: readonly QueueName[],
    /** The shared-memory L1 cache every thread attaches to. */
    private readonly l1Buffer: SharedArrayBuffer,
    /** The process's extraction threads, shared by every consumer thread. */
    private readonly pool: ExtractionPool,
    /** The process's file-store outage, which every thread's failures and recoveries feed. */
    private readonly storageOutage: OutageReporter,
  ) {}

  async start(): Promise<void> {
    await Promise.all(this.queues.map((q) => this.spawn(q)));
  }

  private spawn(queue: QueueName): Promise<void> {
    const { port1, port2 } = new MessageChannel();
    serveJobStore(port1, this.store);
    const extraction = new MessageChannel();
    serveExtraction(extraction.port1, this.pool);
    const thread = new Worker(new URL("./thread.ts", import.meta.url), {
      workerData: { options: this.options, queue, port: port2, extractPort: extraction.port2, l1Buffer: this.l1Buffer } satisfies ThreadData,
      transferList: [port2, extraction.port2],
    });
    const hosted: Hosted = { queue, thread, calls: rpcClient<ThreadCalls>(thread), stopping: false };
    this.hosted.set(queue, hosted);
    return new Promise((resolve, reject) => {
      thread.on("message", (m: ThreadMessage) => {
        if (m.type === "ready") resolve();
        if (m.type === "storage") {
          if (m.ok) this.storageOutage.recovered();
          else this.storageOutage.failed(new Error(m.err));
        }
      });
      thread.on("error", (err: Error) => {
        log.error({ queue, err: err.message }, "worker thread crashed");
        reject(err);
      });
      thread.on("exit", (code) => {
        port1.close();
        extraction.port1.close();
        if (this.stopping || hosted.stopping) return;
        log.error({ queue, code }, "worker thread exited; restarting it");
        setTimeout(() => void this.spawn(queue).catch(() => {}), 1000);
      });
    });
  }

  /** Every consumer thread's Prometheus metrics; a thread that does not answer within timeoutMs is left out. */
  async collectMetrics(timeoutMs = 1000): Promise<MetricObjectWithValues<MetricValue<string>>[][]> {
    const answers = [...this.hosted.values()].map((h) => h.calls.call("metrics", undefined, { timeoutMs }).catch(() => undefined));
    return (await Promise.all(answers)).filter((m) => m !== undefined);
  }

  /** Drains every thread: stop taking jobs, finish active ones within timeoutMs, exit. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.hosted.values()].map(async (h) => {
        h.stopping = true;
        const exited = new Promise<void>((r) => h.thread.once("exit", () => r()));
        h.thread.postMessage({ type: "drain", timeoutMs } satisfies HostMessage);
        const gone = await Promise.race([exited.then(() => true), Bun.sleep(timeoutMs + 10_000).then(() => false)]);
        if (!gone) await h.thread.terminate();
      }),
    );
    this.hosted.clear();
  }
}
