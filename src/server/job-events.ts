import type { Redis } from "ioredis";

type Listener = () => void;

/**
 * Fans the status writer's "these jobs changed" announcements (Redis pub/sub, so it works
 * when workers run in other processes) out to the SSE streams of this server.
 */
export class JobEvents {
  private readonly listeners = new Map<string, Set<Listener>>();
  private started: Promise<unknown> | undefined;

  constructor(
    private readonly subscriber: Redis,
    private readonly channel: string,
  ) {}

  private start(): Promise<unknown> {
    this.started ??= this.subscriber.subscribe(this.channel).then(() => {
      this.subscriber.on("message", (channel: string, message: string) => {
        if (channel !== this.channel) return;
        for (const id of message.split(",")) for (const l of this.listeners.get(id) ?? []) l();
      });
    });
    return this.started;
  }

  async on(jobId: string, listener: Listener): Promise<() => void> {
    await this.start();
    let set = this.listeners.get(jobId);
    if (!set) this.listeners.set(jobId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(jobId);
    };
  }
}
