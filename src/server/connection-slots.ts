import { HttpError } from "./http-error.ts";

export interface ConnectionSlotsOptions {
  perUser: number;
  perProcess: number;
  /** What is counted, for the messages and codes: "uploads in progress", "event streams". */
  noun: string;
  /** The 429 code for one user past their cap. */
  userCode: string;
}

/**
 * Long-lived requests held open at once, per user and per server process: upload bodies
 * still arriving (the in-flight job cap counts jobs, which exist only once a body is read)
 * and event streams. Counted in memory: each server process guards its own sockets and
 * memory.
 */
export class ConnectionSlots {
  private total = 0;
  private readonly byUser = new Map<string, number>();

  constructor(private readonly opts: ConnectionSlotsOptions) {}

  /** Takes a slot or refuses (429 for this user, 503 for the process); call the returned function when done. */
  acquire(userId: string): () => void {
    const { perUser, perProcess, noun, userCode } = this.opts;
    const mine = this.byUser.get(userId) ?? 0;
    if (mine >= perUser) {
      throw new HttpError(429, userCode, `you have ${mine} ${noun} open (the limit is ${perUser}); open the next when one ends`, { "retry-after": "1" });
    }
    if (this.total >= perProcess) {
      throw new HttpError(503, "server_busy", `this server holds ${this.total} ${noun} (the limit is ${perProcess}); try again shortly`, { "retry-after": "1" });
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
