import type { Redis } from "ioredis";
import { log } from "../log.ts";
import { keyspace } from "../redis/keyspace.ts";
import type { QueueName } from "../jobs/pipelines.ts";

/**
 * Per-queue concurrency an operator set while the fleet runs (PUT /admin/limits), kept in
 * Redis so that every worker process applies it within a poll and a restarted one starts
 * from it; and what each process runs with now, for GET /admin/limits. (Global concurrency
 * and rate limits are BullMQ's own, stored with the queue: nothing to keep here.)
 */
const POLL_MS = 1000;
/** A process that has not said what it runs with for this long is gone. */
const RUNNING_TTL_MS = 10_000;

export interface RunningWith {
  process: string;
  queue: QueueName;
  concurrency: number;
}

export class LiveLimits {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get storedKey() {
    return keyspace.limits(this.prefix);
  }

  private get runningKey() {
    return keyspace.limitsRunning(this.prefix);
  }

  /** The concurrency per process an operator set for each queue (absent: the configured one). */
  async stored(): Promise<Partial<Record<QueueName, number>>> {
    const h = await this.redis.hgetall(this.storedKey);
    return Object.fromEntries(Object.entries(h).map(([q, v]) => [q, Number(v)])) as Partial<Record<QueueName, number>>;
  }

  /** null: back to the configured concurrency. */
  async setConcurrency(queue: QueueName, concurrency: number | null): Promise<void> {
    if (concurrency === null) await this.redis.hdel(this.storedKey, queue);
    else await this.redis.hset(this.storedKey, queue, concurrency);
  }

  async running(): Promise<RunningWith[]> {
    const h = await this.redis.hgetall(this.runningKey);
    const now = Date.now();
    const all = Object.entries(h).map(([field, v]) => ({ field, ...(JSON.parse(v) as RunningWith & { at: number }) }));
    const gone = all.filter((r) => now - r.at >= RUNNING_TTL_MS).map((r) => r.field);
    // A process killed without stopping leaves its line: dropped here, by whoever reads.
    if (gone.length > 0) await this.redis.hdel(this.runningKey, ...gone);
    return all.filter((r) => now - r.at < RUNNING_TTL_MS).map(({ process, queue, concurrency }) => ({ process, queue, concurrency }));
  }

  /**
   * Keeps a worker's concurrency at the stored value (else `configured`), looking every second,
   * and says what it runs with. Returns the stop function.
   */
  follow(queue: QueueName, worker: { concurrency: number }, processId: string, configured: number): () => void {
    const tick = async () => {
      try {
        const wanted = (await this.redis.hget(this.storedKey, queue)) ?? configured;
        if (Number(wanted) !== worker.concurrency) {
          log.info({ queue, from: worker.concurrency, to: Number(wanted) }, "queue concurrency changed");
          worker.concurrency = Number(wanted);
        }
        const running: RunningWith & { at: number } = { process: processId, queue, concurrency: worker.concurrency, at: Date.now() };
        await this.redis.hset(this.runningKey, `${processId}/${queue}`, JSON.stringify(running));
      } catch (err) {
        log.warn({ queue, err: (err as Error).message }, "could not read the stored limits");
      }
    };
    void tick();
    const timer = setInterval(tick, POLL_MS);
    return () => {
      clearInterval(timer);
      void this.redis.hdel(this.runningKey, `${processId}/${queue}`).catch(() => {});
    };
  }
}
