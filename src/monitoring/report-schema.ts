import { z } from "@hono/zod-openapi";

/**
 * The shapes of the monitoring answers: the OpenAPI document describes them from these,
 * the queue monitor's results are typed by them, and the CLI reads them as these types.
 */
export const LatencySummarySchema = z
  .object({ count: z.number().int(), avg: z.number(), p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() })
  .openapi("LatencySummary", { description: "HdrHistogram percentiles over the alert window, in ms" });

export const AlertSchema = z
  .object({
    rule: z.enum(["high_failure_rate", "low_throughput", "too_many_waiting", "slow_processing"]),
    queue: z.string(),
    message: z.string(),
    value: z.number(),
    threshold: z.number(),
    since: z.string(),
  })
  .openapi("Alert");

const STATES = ["waiting", "active", "completed", "failed", "delayed", "waiting-children", "prioritized", "paused"] as const;

export const QueueStatsSchema = z
  .object({
    name: z.string(),
    counts: z.object(Object.fromEntries(STATES.map((s) => [s, z.number().int()])) as Record<(typeof STATES)[number], z.ZodNumber>).openapi({
      description: "BullMQ's jobs per state; `paused` counts the jobs a paused queue holds back (waiting and prioritized)",
    }),
    throughputPerMinute: z.array(z.number()).openapi({ description: "Completions per minute over the last 60 minutes, oldest first" }),
    bullmqCompletedPerMinute: z.array(z.number()).openapi({ description: "BullMQ's own per-minute metric of completed jobs" }),
    windowMinutes: z.number().int(),
    completedInWindow: z.number().int(),
    failedInWindow: z.number().int(),
    failureRate: z.number(),
    wait: LatencySummarySchema,
    processing: LatencySummarySchema,
    stages: z.object({ download: LatencySummarySchema, extract: LatencySummarySchema, ai: LatencySummarySchema, save: LatencySummarySchema }),
    workers: z.number().int(),
    paused: z.boolean(),
    healthy: z.boolean(),
    alerts: z.array(AlertSchema),
  })
  .openapi("QueueStats", { description: "Counts, rates, per-stage latency percentiles and active alerts of one queue" });

const CacheLevel = z.object({ hits: z.number().int(), misses: z.number().int(), sets: z.number().int(), hitRate: z.number() });

export const PerformanceReportSchema = z
  .object({
    totalJobsProcessed: z.number().int(),
    totalJobsFailed: z.number().int(),
    failureRate: z.number(),
    avgThroughput: z.number().openapi({ description: "Jobs completed per minute over the alert window" }),
    healthyQueues: z.number().int(),
    totalQueues: z.number().int(),
    queues: z.array(QueueStatsSchema),
    alerts: z.array(AlertSchema),
    cache: z.object({
      l1HitRate: z.number(),
      l2HitRate: z.number(),
      l1: CacheLevel.extend({ entries: z.number().int(), evictions: z.number().int(), expirations: z.number().int() }).nullable(),
      l2: CacheLevel,
    }),
    breaker: z.object({
      state: z.enum(["closed", "half-open", "open", "unused"]),
      breakers: z.number().int(),
      consecutiveFailures: z.number().int().optional(),
      lastChange: z.string().nullable().optional(),
      retryAt: z.number().nullable().optional(),
    }),
    extraction: z.object({
      pools: z.number().int(),
      threads: z.number().int(),
      busy: z.number().int(),
      waiting: z.number().int(),
      terminations: z.object({ timeout: z.number().int(), memory: z.number().int(), crash: z.number().int() }),
      ocr: z.object({ pages: z.number().int(), seconds: z.number() }).openapi({ description: "Pages read by OCR and the seconds it took, since each pool started" }),
    }),
    eventLoop: z.array(z.object({ process: z.string(), thread: z.string(), maxMs: z.number(), avgMs: z.number() })).openapi({
      description: "Each live thread's event-loop delay over the last 2 s (worst first)",
    }),
    modelLimit: z
      .object({
        limit: z.number().int(),
        inFlight: z.number().int(),
        min: z.number().int(),
        max: z.number().int(),
        latencyMs: z.number().nullable(),
        pushbacks: z.number().int(),
      })
      .nullable()
      .openapi({ description: "The fleet's adaptive limit on model calls and the calls in flight now; null when there is none (FOLIO_AI_LIMIT=off, or no model)" }),
    tokens: z.object({ input: z.number().int(), output: z.number().int() }),
    models: z.record(
      z.string(),
      z.object({
        inputTokens: z.number().int(),
        outputTokens: z.number().int(),
        calls: z.object({ ok: z.number().int(), invalid_output: z.number().int(), error: z.number().int() }),
      }),
    ),
    totals: z.record(z.string(), z.object({ completed: z.number().int(), failed: z.number().int() })),
    lastHealthCheck: z.string().nullable(),
    generatedAt: z.string(),
  })
  .openapi("PerformanceReport", { description: "Totals, cache hit rate, every queue's QueueStats, active alerts, breaker, extraction, event loop, tokens" });

export type LatencySummary = z.infer<typeof LatencySummarySchema>;
export type QueueStats = z.infer<typeof QueueStatsSchema>;
export type PerformanceReport = z.infer<typeof PerformanceReportSchema>;
export type ModelLimitView = NonNullable<PerformanceReport["modelLimit"]>;
