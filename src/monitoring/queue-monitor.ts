import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { NotesLookup } from "../cache/index.ts";
import { log } from "../log.ts";
import { AlertBook, evaluateRules, type Alert, type AlertThresholds } from "./alerts.ts";
import { readBreakers } from "./breaker-board.ts";
import { readPools } from "./extraction-board.ts";
import { readLoopBoard } from "./loop-board.ts";
import { readCounts, readModelUsage, readPerMinute, readRetention, readWindowCount, type ModelUsage } from "./counters.ts";
import { readLatency } from "./latency.ts";
import type { ModelLimitView, PerformanceReport, QueueStats } from "./report-schema.ts";

export type { PerformanceReport, QueueStats } from "./report-schema.ts";

const STATES = ["waiting", "active", "completed", "failed", "delayed", "waiting-children", "prioritized"] as const;
const STAGES = ["download", "extract", "ai", "save"] as const;

export interface MonitorOptions {
  thresholds: AlertThresholds;
  /** The alert window: the last windowMinutes × 60 s ending now, in 10 s steps. */
  windowMinutes: number;
  webhookUrl?: string;
  /** The clock the window ends at (tests move it across minute boundaries). */
  now?: () => number;
  /** The fleet's limit on model calls now, when it has one. */
  modelLimit?: () => Promise<ModelLimitView>;
}

/**
 * The queue monitoring service (the seed's phase 8): per-queue statistics from BullMQ and
 * from Folio's Redis counters and histograms, health checks that evaluate the alert rules,
 * and the performance report. Everything it reads is in Redis, so any server process
 * reports the same truth for all worker processes.
 */
export class QueueMonitor {
  private readonly queues = new Map<string, Queue>();
  private readonly alerts: AlertBook;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastCheck: string | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly cache: NotesLookup,
    private readonly opts: MonitorOptions,
  ) {
    this.alerts = new AlertBook(opts.webhookUrl);
  }

  registerQueue(name: string, queue: Queue): void {
    this.queues.set(name, queue);
  }

  queueList(): Queue[] {
    return [...this.queues.values()];
  }

  queueNames(): string[] {
    return [...this.queues.keys()];
  }

  startHealthChecks(intervalMs = 30_000): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.checkHealth().catch((err) => log.warn({ err: err.message }, "health check failed")), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Evaluates every rule on every queue; a firing or resolved alert is logged (and posted) once. */
  async checkHealth(): Promise<Alert[]> {
    const stages = await this.readStages();
    const stats = await Promise.all(this.queueNames().map((n) => this.rawStats(n, stages)));
    const now = stats.flatMap((s) =>
      evaluateRules(
        {
          queue: s.name,
          failureRate: s.failureRate,
          completedPerMin: s.completedInWindow / this.opts.windowMinutes,
          finishedInWindow: s.completedInWindow + s.failedInWindow,
          waiting: s.counts.waiting + s.counts.prioritized,
          avgProcessingMs: s.processing.avg,
        },
        this.opts.thresholds,
      ),
    );
    await this.alerts.update(this.queueNames(), now);
    this.lastCheck = new Date().toISOString();
    return this.alerts.active();
  }

  /** `stages` lets a report read the stage histograms (shared by all queues) once. */
  async getDetailedStats(name: string, stages?: QueueStats["stages"]): Promise<QueueStats | undefined> {
    if (!this.queues.has(name)) return undefined;
    const s = await this.rawStats(name, stages ?? (await this.readStages()));
    const alerts = this.alerts.active().filter((a) => a.queue === name);
    return { ...s, alerts, healthy: s.workers > 0 && alerts.length === 0 };
  }

  /** What the retention sweeps have deleted, per kind, fleet-wide. */
  retentionDeleted() {
    return readRetention(this.redis, this.prefix);
  }

  async getPerformanceReport(): Promise<PerformanceReport> {
    const stages = await this.readStages();
    const queues = (await Promise.all(this.queueNames().map((n) => this.getDetailedStats(n, stages)))).filter((q): q is QueueStats => !!q);
    const counts = await readCounts(this.redis, this.prefix);
    const processed = this.queueNames().reduce((sum, n) => sum + (counts[`${n}:completed`] ?? 0), 0);
    const failed = this.queueNames().reduce((sum, n) => sum + (counts[`${n}:failed`] ?? 0), 0);
    const window = queues.reduce((sum, q) => sum + q.completedInWindow, 0);
    const cache = await this.cache.stats();
    const models = await readModelUsage(this.redis, this.prefix);
    return {
      totalJobsProcessed: processed,
      totalJobsFailed: failed,
      failureRate: processed + failed === 0 ? 0 : failed / (processed + failed),
      avgThroughput: window / this.opts.windowMinutes,
      healthyQueues: queues.filter((q) => q.healthy).length,
      totalQueues: queues.length,
      queues,
      alerts: this.alerts.active(),
      cache: { l1HitRate: cache.l1?.hitRate ?? 0, l2HitRate: cache.l2.hitRate, l1: cache.l1, l2: cache.l2 },
      breaker: await readBreakers(this.redis, this.prefix),
      extraction: await readPools(this.redis, this.prefix),
      eventLoop: await readLoopBoard(this.redis, this.prefix),
      modelLimit: this.opts.modelLimit ? await this.opts.modelLimit() : null,
      tokens: { input: total(models, "inputTokens"), output: total(models, "outputTokens") },
      models,
      totals: Object.fromEntries(
        this.queueNames().map((n) => [n, { completed: counts[`${n}:completed`] ?? 0, failed: counts[`${n}:failed`] ?? 0 }]),
      ),
      lastHealthCheck: this.lastCheck,
      generatedAt: new Date().toISOString(),
    };
  }

  private window(): { ms: number; now: number } {
    return { ms: this.opts.windowMinutes * 60_000, now: this.opts.now?.() ?? Date.now() };
  }

  private async readStages(): Promise<QueueStats["stages"]> {
    const { ms, now } = this.window();
    const all = await Promise.all(STAGES.map((s) => readLatency(this.redis, this.prefix, `stage:${s}`, ms, now)));
    return Object.fromEntries(STAGES.map((s, i) => [s, all[i]!])) as QueueStats["stages"];
  }

  private async rawStats(name: string, stages: QueueStats["stages"]): Promise<Omit<QueueStats, "healthy" | "alerts">> {
    const queue = this.queues.get(name)!;
    const w = this.opts.windowMinutes;
    const { ms, now } = this.window();
    const [counts, throughput, completedInWindow, failedInWindow, metrics, workers, paused, wait, processing] = await Promise.all([
      queue.getJobCounts(...STATES),
      readPerMinute(this.redis, this.prefix, name, "completed", 60),
      readWindowCount(this.redis, this.prefix, name, "completed", ms, now),
      readWindowCount(this.redis, this.prefix, name, "failed", ms, now),
      queue.getMetrics("completed", 0, 59).catch(() => ({ data: [] as number[] })),
      queue.getWorkersCount(),
      queue.isPaused(),
      readLatency(this.redis, this.prefix, `${name}:wait`, ms, now),
      readLatency(this.redis, this.prefix, `${name}:processing`, ms, now),
    ]);
    return {
      name,
      counts: { ...(Object.fromEntries(STATES.map((s) => [s, counts[s] ?? 0])) as Record<(typeof STATES)[number], number>), paused: paused ? (counts.waiting ?? 0) + (counts.prioritized ?? 0) : 0 },
      throughputPerMinute: throughput,
      bullmqCompletedPerMinute: [...metrics.data].reverse(),
      windowMinutes: w,
      completedInWindow,
      failedInWindow,
      failureRate: completedInWindow + failedInWindow === 0 ? 0 : failedInWindow / (completedInWindow + failedInWindow),
      wait,
      processing,
      stages,
      workers,
      paused,
    };
  }
}

function total(models: Record<string, ModelUsage>, field: "inputTokens" | "outputTokens"): number {
  return Object.values(models).reduce((n, m) => n + m[field], 0);
}
