import type { MessagePort } from "node:worker_threads";
import type { MetricObjectWithValues, MetricValue } from "prom-client";
import type { QueueName } from "../src/jobs/pipelines.ts";
import type { ThreadOptions } from "./thread-options.ts";

/** What a worker thread starts from: its queue, its modules' options, its ports and the shared L1. */
export interface ThreadData {
  options: ThreadOptions;
  queue: QueueName;
  port: MessagePort;
  extractPort: MessagePort;
  l1Buffer: SharedArrayBuffer;
}

/** Messages between the thread host (main thread) and a worker thread. */
export type HostMessage = { type: "drain"; timeoutMs: number };
export type ThreadMessage =
  | { type: "ready" }
  | { type: "drained"; timedOut: boolean }
  /** The thread's file store stopped (ok: false) or started again answering: its process tells the outage once. */
  | { type: "storage"; ok: boolean; err?: string };

/** What the host may call on a thread (src/threads/port-rpc.ts, over the Worker itself). */
export interface ThreadCalls {
  /** The thread's Prometheus metrics, for the process's /metrics. */
  metrics(arg: undefined): Promise<MetricObjectWithValues<MetricValue<string>>[]>;
}
