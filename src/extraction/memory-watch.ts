/**
 * A memory ceiling for work running on threads of this process, enforced from outside them
 * (Bun ignores a Worker's resourceLimits). Only the process's RSS can be measured, so its
 * growth is shared out among the tasks running while it happened, in equal parts: a task
 * running alone is charged all of it, two together half each. When the largest share
 * passes `limitBytes`, that task is reported to `onOver`, which is expected to stop it. Until
 * half of that share has come back (seen in the RSS), or for `releaseWaitMs` at most, the
 * others are judged only once the RSS passes where it stood at the stop, and never surely: a
 * stopped thread's memory comes back some time after, and it may even grow a little before it
 * ends, but a second PDF swelling meanwhile must not grow unchecked for that long (two Flate
 * bombs at once took the process 940 MB past its RSS when it waited). `sure` says whether the blame is clear: its
 * share is at least twice every other running task's (so always when it runs alone). An
 * equal split is not: a PDF that swells next to an ordinary one charges it half, and the
 * ordinary one, older, may hold the larger share; once it is stopped, the swelling one is
 * charged alone.
 */
export class MemoryWatch<K> {
  private readonly shares = new Map<K, number>();
  private last = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** While a stopped task's memory comes back: the RSS to fall under, until when to wait for it, and the RSS at the stop. */
  private releasing: { below: number; until: number; stoppedAt: number } | undefined;

  constructor(
    private readonly limitBytes: number,
    private readonly onOver: (key: K, sharedBytes: number, sure: boolean) => void,
    private readonly intervalMs = 50,
    private readonly releaseWaitMs = 500,
    private readonly rss: () => number = () => process.memoryUsage.rss(),
  ) {}

  begin(key: K): void {
    // Growth before this task started is its predecessors'.
    this.sample();
    this.shares.set(key, 0);
    this.timer ??= setInterval(() => this.check(), this.intervalMs);
    this.timer.unref?.();
  }

  end(key: K): void {
    this.sample();
    this.shares.delete(key);
    if (this.shares.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private sample(): void {
    const now = this.rss();
    const part = (now - this.last) / Math.max(1, this.shares.size);
    this.last = now;
    // Memory another task gave back (or a stopped thread's) is not credited below zero.
    for (const [key, share] of this.shares) this.shares.set(key, Math.max(0, share + part));
  }

  private check(): void {
    this.sample();
    const releasing = this.releasing && this.last > this.releasing.below && Date.now() < this.releasing.until ? this.releasing : undefined;
    this.releasing = releasing;
    if (releasing && this.last <= releasing.stoppedAt) return;
    const [top, ...rest] = [...this.shares].sort((a, b) => b[1] - a[1]);
    if (!top || top[1] <= this.limitBytes) return;
    this.shares.delete(top[0]);
    if (this.shares.size === 0) this.stop();
    this.releasing = { below: this.last - top[1] / 2, until: Date.now() + this.releaseWaitMs, stoppedAt: this.last };
    this.onOver(top[0], top[1], !releasing && rest.every(([, share]) => share * 2 <= top[1]));
  }
}
