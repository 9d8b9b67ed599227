import { log } from "../log.ts";

export type AlertRule = "high_failure_rate" | "low_throughput" | "too_many_waiting" | "slow_processing";

export interface AlertThresholds {
  failureRate: number;
  minThroughputPerMin: number;
  maxWaiting: number;
  maxAvgProcessingMs: number;
}

export interface QueueHealthInput {
  queue: string;
  failureRate: number;
  completedPerMin: number;
  finishedInWindow: number;
  waiting: number;
  avgProcessingMs: number;
}

export interface Alert {
  rule: AlertRule;
  queue: string;
  message: string;
  value: number;
  threshold: number;
  since: string;
}

/** The seed's four rules, evaluated for one queue. */
export function evaluateRules(q: QueueHealthInput, t: AlertThresholds): Omit<Alert, "since">[] {
  const out: Omit<Alert, "since">[] = [];
  if (q.finishedInWindow > 0 && q.failureRate > t.failureRate) {
    out.push({ rule: "high_failure_rate", queue: q.queue, value: q.failureRate, threshold: t.failureRate, message: `${(q.failureRate * 100).toFixed(1)} % of ${q.queue} jobs failed` });
  }
  if (q.waiting > 0 && q.completedPerMin < t.minThroughputPerMin) {
    out.push({ rule: "low_throughput", queue: q.queue, value: q.completedPerMin, threshold: t.minThroughputPerMin, message: `${q.queue} completes ${q.completedPerMin.toFixed(1)} jobs/min with ${q.waiting} waiting` });
  }
  if (q.waiting > t.maxWaiting) {
    out.push({ rule: "too_many_waiting", queue: q.queue, value: q.waiting, threshold: t.maxWaiting, message: `${q.waiting} jobs waiting in ${q.queue}` });
  }
  if (q.avgProcessingMs > t.maxAvgProcessingMs) {
    out.push({ rule: "slow_processing", queue: q.queue, value: q.avgProcessingMs, threshold: t.maxAvgProcessingMs, message: `${q.queue} jobs take ${Math.round(q.avgProcessingMs)} ms on average` });
  }
  return out;
}

/**
 * Remembers which alerts fire, so a transition (firing or resolved) is logged and sent to
 * the webhook once, not on every health check.
 */
export class AlertBook {
  private readonly firing = new Map<string, Alert>();

  constructor(private readonly webhookUrl?: string) {}

  /** Replaces the firing set of the given queues with `now`; returns the transitions. */
  async update(queues: string[], now: Omit<Alert, "since">[]): Promise<{ fired: Alert[]; resolved: Alert[] }> {
    const key = (a: { queue: string; rule: string }) => `${a.queue}:${a.rule}`;
    const current = new Map(now.map((a) => [key(a), a]));
    const fired: Alert[] = [];
    const resolved: Alert[] = [];
    for (const a of now) {
      const existing = this.firing.get(key(a));
      if (existing) this.firing.set(key(a), { ...a, since: existing.since });
      else {
        const alert = { ...a, since: new Date().toISOString() };
        this.firing.set(key(a), alert);
        fired.push(alert);
      }
    }
    for (const [k, a] of this.firing) {
      if (queues.includes(a.queue) && !current.has(k)) {
        this.firing.delete(k);
        resolved.push(a);
      }
    }
    for (const a of fired) log.warn({ alert: a }, `ALERT firing: ${a.message}`);
    for (const a of resolved) log.info({ alert: a }, `ALERT resolved: ${a.rule} on ${a.queue}`);
    await Promise.all([...fired.map((a) => this.notify("firing", a)), ...resolved.map((a) => this.notify("resolved", a))]);
    return { fired, resolved };
  }

  active(): Alert[] {
    return [...this.firing.values()];
  }

  private async notify(status: "firing" | "resolved", alert: Alert): Promise<void> {
    if (!this.webhookUrl) return;
    try {
      await fetch(this.webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ status, alert, at: new Date().toISOString() }),
        signal: AbortSignal.timeout(5000),
      });
    } catch (err) {
      log.warn({ err: (err as Error).message, rule: alert.rule }, "alert webhook failed");
    }
  }
}
