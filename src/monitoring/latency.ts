import * as hdr from "hdr-histogram-js";
import type { Redis } from "ioredis";

/**
 * Latency histograms (HdrHistogram) that stay right across threads, processes and
 * machines: each thread records into its own per-minute histograms and writes them, encoded,
 * to Redis under its own field; readers decode and add every field of the minutes they want.
 */
const build = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 24 * 3_600_000, numberOfSignificantValueDigits: 2 });
const KEEP_S = 2 * 3600;

export const minuteOf = (ms: number) => Math.floor(ms / 60_000);

export interface LatencySummary {
  count: number;
  avg: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function latencyKey(prefix: string, metric: string, minute: number): string {
  return `${prefix}:lat:${metric}:${minute}`;
}

export class LatencyRecorder {
  private readonly open = new Map<string, { metric: string; minute: number; hist: hdr.Histogram; dirty: boolean }>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Unique per thread of a process: pid and thread id. */
    private readonly source: string,
    flushMs = 2000,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => {}), flushMs);
    this.timer.unref?.();
  }

  record(metric: string, ms: number, at = Date.now()): void {
    const minute = minuteOf(at);
    const id = `${metric}|${minute}`;
    let entry = this.open.get(id);
    if (!entry) this.open.set(id, (entry = { metric, minute, hist: build(), dirty: false }));
    entry.hist.recordValue(Math.max(1, Math.round(ms)));
    entry.dirty = true;
  }

  async flush(): Promise<void> {
    const now = minuteOf(Date.now());
    const multi = this.redis.multi();
    let writes = 0;
    for (const [id, e] of this.open) {
      if (e.dirty) {
        const key = latencyKey(this.prefix, e.metric, e.minute);
        multi.hset(key, this.source, hdr.encodeIntoCompressedBase64(e.hist)).expire(key, KEEP_S);
        e.dirty = false;
        writes++;
      }
      if (e.minute < now - 1) this.open.delete(id);
    }
    if (writes) await multi.exec();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

/** One metric over the last `minutes` minutes, from every thread and process that recorded it. */
export async function readLatency(redis: Redis, prefix: string, metric: string, minutes: number): Promise<LatencySummary> {
  const now = minuteOf(Date.now());
  const multi = redis.multi();
  for (let m = now - minutes + 1; m <= now; m++) multi.hvals(latencyKey(prefix, metric, m));
  const results = (await multi.exec()) ?? [];
  const total = build();
  for (const [, encoded] of results) {
    for (const e of (encoded as string[]) ?? []) total.add(hdr.decodeFromCompressedBase64(e));
  }
  if (total.totalCount === 0) return { count: 0, avg: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  return {
    count: total.totalCount,
    avg: Math.round(total.mean),
    p50: total.getValueAtPercentile(50),
    p95: total.getValueAtPercentile(95),
    p99: total.getValueAtPercentile(99),
    max: total.maxValue,
  };
}
