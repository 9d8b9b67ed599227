import { HttpError } from "./http-error.ts";

export interface UploadSlotsOptions {
  perUser: number;
  perProcess: number;
}

/**
 * Uploads whose bodies are still arriving, per user and per server process: the in-flight
 * job cap counts jobs, which exist only once a body is read, so without this a client
 * could open any number of slow uploads. Counted in memory: each server process guards its
 * own sockets and memory.
 */
export class UploadSlots {
  private total = 0;
  private readonly byUser = new Map<string, number>();

  constructor(private readonly opts: UploadSlotsOptions) {}

  /** Takes a slot or refuses (429 for this user, 503 for the process); call the returned function when done. */
  acquire(userId: string): () => void {
    const mine = this.byUser.get(userId) ?? 0;
    if (mine >= this.opts.perUser) {
      throw new HttpError(429, "too_many_uploads_in_progress", `you have ${mine} uploads in progress (the limit is ${this.opts.perUser}); send the next when one finishes`, { "retry-after": "1" });
    }
    if (this.total >= this.opts.perProcess) {
      throw new HttpError(503, "server_busy", `this server is receiving ${this.total} uploads (the limit is ${this.opts.perProcess}); try again shortly`, { "retry-after": "1" });
    }
    this.total++;
    this.byUser.set(userId, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byUser.get(userId) ?? 1) - 1;
      if (left > 0) this.byUser.set(userId, left);
      else this.byUser.delete(userId);
    };
  }
}
