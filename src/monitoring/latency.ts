import * as hdr from "hdr-histogram-js";
import type { Redis } from "ioredis";
import type { LatencySummary } from "./report-schema.ts";
import { keyspace } from "../redis/keyspace.ts";

/**
 * Latency histograms (HdrHistogram) that stay right across threads, processes and
 * machines: each thread records into its own histogram per 10-second bucket and writes
 * them, encoded, to Redis under its own field; readers decode and add every field of the
 * buckets of the window they want, so a window slides in 10 s steps, not whole minutes.
 */
const build = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 24 * 3_600_000, numberOfSignificantValueDigits: 2 });
const KEEP_S = 2 * 3600;

/** The window's resolution: a window of W seconds is the last W / 10 buckets, the current one included. */
export const BUCKET_MS = 10_000;
export const bucketOf = (ms: number) => Math.floor(ms / BUCKET_MS);
export const minuteOf = (ms: number) => Math.floor(ms / 60_000);

export type { LatencySummary } from "./report-schema.ts";

function latencyKey(prefix: string, metric: string, bucket: number): string {
  return keyspace.latency10s(prefix, metric, bucket);
}

export class LatencyRecorder {
  private readonly open = new Map<string, { metric: string; bucket: number; hist: hdr.Histogram; dirty: boolean }>();
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
    const bucket = bucketOf(at);
    const id = `${metric}|${bucket}`;
    let entry = this.open.get(id);
    if (!entry) this.open.set(id, (entry = { metric, bucket, hist: build(), dirty: false }));
    entry.hist.recordValue(Math.max(1, Math.round(ms)));
    entry.dirty = true;
  }

  async flush(): Promise<void> {
    const now = bucketOf(Date.now());
    const multi = this.redis.multi();
    let writes = 0;
    for (const [id, e] of this.open) {
      if (e.dirty) {
        const key = latencyKey(this.prefix, e.metric, e.bucket);
        multi.hset(key, this.source, hdr.encodeIntoCompressedBase64(e.hist)).expire(key, KEEP_S);
        e.dirty = false;
        writes++;
      }
      if (e.bucket < now - 1) this.open.delete(id);
    }
    if (writes) await multi.exec();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

/** One metric over the `windowMs` ending now, from every thread and process that recorded it. */
export async function readLatency(redis: Redis, prefix: string, metric: string, windowMs: number, now = Date.now()): Promise<LatencySummary> {
  const last = bucketOf(now);
  const multi = redis.multi();
  for (let b = last - windowMs / BUCKET_MS + 1; b <= last; b++) multi.hvals(latencyKey(prefix, metric, b));
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
