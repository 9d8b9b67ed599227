import { Worker } from "node:worker_threads";
import type { FromCountThread, ToCountThread } from "./page-count-thread.ts";

export interface PageCountOptions {
  /** A count not answered in this long (from when its PDF reaches the thread) is given up, undefined, and its thread ended. */
  budgetMs: number;
  /** Uploads waiting for a count past this many are not counted (their job checks the range). */
  maxWaiting: number;
  /** The thread (~35 MB with pdf.js) is ended after this long without a count, and started again on the next. */
  idleMs: number;
  /** How the thread is made (tests keep a handle on theirs). */
  spawn?: () => Worker;
}

export const PAGE_COUNT_DEFAULTS: PageCountOptions = { budgetMs: 2000, maxWaiting: 8, idleMs: 60_000 };

/** A thread that has not loaded pdf.js in this long (0.15 s idle, up to 1.4 s on a loaded machine) is ended. */
const START_MS = 10_000;
const LATE = Symbol("late");

/** `work`'s outcome, or LATE after `ms`. */
async function within<T>(work: Promise<T>, ms: number): Promise<T | typeof LATE> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<typeof LATE>((resolve) => (timer = setTimeout(() => resolve(LATE), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

interface Call {
  load: () => Promise<Uint8Array | undefined>;
  resolve(pages: number | undefined): void;
}

/**
 * How many pages an upload has, asked at upload time when it gives a page range, so that a
 * range past the end is a 400 naming the page count instead of a job that fails later. pdf.js
 * counts on a thread of its own (page-count-thread.ts), one PDF at a time, each read from
 * storage only when its turn comes, so the server's event loop never parses a PDF and holds
 * at most one upload's bytes for this. Best effort: a PDF pdf.js cannot open, a count over
 * its budget, or too many waiting answers undefined, and the job's extraction checks the
 * range as before (pages_out_of_range).
 */
export class PageCounter {
  private readonly waiting: Call[] = [];
  private busy = false;
  private thread: { worker: Worker; ready: Promise<boolean> } | undefined;
  private nextId = 0;
  private idle: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(private readonly opts: PageCountOptions = PAGE_COUNT_DEFAULTS) {}

  count(load: () => Promise<Uint8Array | undefined>): Promise<number | undefined> {
    if (this.stopped || this.waiting.length >= this.opts.maxWaiting) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiting.push({ load, resolve });
      void this.pump();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.idle);
    for (const call of this.waiting.splice(0)) call.resolve(undefined);
    await this.end();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    clearTimeout(this.idle);
    try {
      for (let call = this.waiting.shift(); call; call = this.waiting.shift()) call.resolve(await this.countOne(call).catch(() => undefined));
    } finally {
      this.busy = false;
      if (!this.stopped) this.idle = setTimeout(() => void this.end(), this.opts.idleMs);
      this.idle?.unref?.();
    }
  }

  private async countOne(call: Call): Promise<number | undefined> {
    const bytes = await call.load();
    if (!bytes || this.stopped) return undefined;
    const thread = this.start();
    // Loading pdf.js is the thread's start, not the count's: it has a bound of its own.
    if ((await within(thread.ready, START_MS)) !== true) return this.overrun(thread.worker);
    const id = this.nextId++;
    const answer = new Promise<number | undefined>((resolve) => {
      const onMessage = (m: FromCountThread) => {
        if (m.type !== "counted" || m.id !== id) return;
        thread.worker.off("message", onMessage);
        resolve(m.pages ?? undefined);
      };
      thread.worker.on("message", onMessage);
      thread.worker.once("exit", () => resolve(undefined));
    });
    thread.worker.postMessage({ id, bytes } satisfies ToCountThread, [bytes.buffer as ArrayBuffer]);
    const outcome = await within(answer, this.opts.budgetMs);
    return outcome === LATE ? this.overrun(thread.worker) : outcome;
  }

  /** Past the budget: the thread is ended (a PDF that takes this long would hold it), and the count given up. */
  private async overrun(worker: Worker): Promise<undefined> {
    if (this.thread?.worker === worker) await this.end();
    return undefined;
  }

  private start(): { worker: Worker; ready: Promise<boolean> } {
    if (this.thread) return this.thread;
    const worker = this.opts.spawn ? this.opts.spawn() : new Worker(new URL("./page-count-thread.ts", import.meta.url));
    worker.unref();
    const ready = new Promise<boolean>((resolve) => {
      worker.on("message", (m: FromCountThread) => m.type === "ready" && resolve(true));
      worker.on("error", () => resolve(false));
      worker.on("exit", () => {
        resolve(false);
        if (this.thread?.worker === worker) this.thread = undefined;
      });
    });
    this.thread = { worker, ready };
    return this.thread;
  }

  private async end(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.worker.terminate();
  }
}
