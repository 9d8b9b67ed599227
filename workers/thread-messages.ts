import type { MetricObjectWithValues, MetricValue } from "prom-client";

/** Messages between the thread host (main thread) and a worker thread. */
export type HostMessage = { type: "drain"; timeoutMs: number } | { type: "metrics"; id: number };
export type ThreadMessage =
  | { type: "ready" }
  | { type: "drained"; timedOut: boolean }
  | { type: "metrics"; id: number; metrics: MetricObjectWithValues<MetricValue<string>>[] };
