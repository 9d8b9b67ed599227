import { Worker } from "node:worker_threads";
import { log } from "../log.ts";
import { PipelineError } from "../errors/pipeline-error.ts";
import type { ExtractedText } from "./extract.ts";
import type { ExtractRequest } from "./extractor.ts";
import { mayReadLarge, pickNext, type Claim } from "./fairness.ts";
import { MemoryWatch } from "./memory-watch.ts";
import type { FromPoolThread, ToPoolThread } from "./messages.ts";
import type { PoolThreadOptions } from "./pool-thread.ts";

export interface PoolOptions extends PoolThreadOptions {
  threads: number;
  /** Past this, the thread is terminated and the PDF fails pdf_too_complex. */
  timeoutMs: number;
  /** What one extraction may add to the process's RSS, in MB (shared out when several run: memory-watch.ts); past it, pdf_too_complex. */
  maxRssMb: number;
  /** Each page's OCR has this long (the budget grows with the pages), else ocr_timeout. */
  ocrPageTimeoutMs: number;
  /** Several users share the pool (API keys): one user may hold at most N−1 threads. */
  perUser: boolean;
  /** How a thread is made (tests keep a handle on theirs); the default runs pool-thread.ts. */
  spawn?: (data: PoolThreadOptions) => Worker;
}

export interface PoolStats {
  threads: number;
  busy: number;
  waiting: number;
  /** timeout and memory: stopped by the pool; crash: died on its own. */
  terminations: { timeout: number; memory: number; crash: number };
  /** Pages read by OCR, and the seconds it took, since the pool started. */
  ocr: { pages: number; seconds: number };
}

interface Task extends Claim {
  id: number;
  jobId: string;
  /** To be read with no other PDF beside it: stopped for memory it may have shared with another. */
  alone: boolean;
  bytes: Uint8Array;
  ocr: NonNullable<ExtractRequest["ocr"]>;
  pages?: string;
  onProgress?: ExtractRequest["onProgress"];
  resolve(text: ExtractedText): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Terminated on purpose: its exit is expected and its task already answered. */
  retired: boolean;
  task?: Task;
  timer?: ReturnType<typeof setTimeout>;
}

/** Why a thread was stopped: the code and message its PDF fails with. */
type Overrun = [code: "pdf_too_complex" | "ocr_timeout", message: string];

/**
 * pdf.js on every core, fenced in: N threads that each read one PDF at a time, fed first
 * come first served within the fairness rules (fairness.ts). The limits are enforced from
 * outside the reading thread, so a PDF that never finishes or swells cannot hold one: past
 * the timeout (the text layer's, then each OCR'd page's) or its share of memory
 * (memory-watch.ts) the thread is terminated and replaced. A thread that dies is replaced too.
 */
export class ExtractionPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Task[] = [];
  private readonly terminations = { timeout: 0, memory: 0, crash: 0 };
  private readonly ocr = { pages: 0, seconds: 0 };
  private readonly memory: MemoryWatch<Slot>;
  private nextId = 0;
  private stopping = false;

  constructor(private readonly opts: PoolOptions) {
    this.memory = new MemoryWatch(opts.maxRssMb * 1024 * 1024, (slot, bytes, sure) => {
      const message = `reading the PDF took more than ${opts.maxRssMb} MB of memory (FOLIO_EXTRACT_MAX_RSS_MB; ${Math.round(bytes / 1048576)} MB)`;
      // Only a clear culprit fails (and is remembered); one that may have been charged for a
      // neighbour's memory is read again alone, where the blame is clear.
      this.stopThread(slot, "memory", sure ? new PipelineError("pdf_too_complex", `${message}; it was stopped`) : `${message} shared with another PDF; to be read again alone`);
    });
  }

  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.opts.threads }, () => this.addThread()));
  }

  extract(req: ExtractRequest): Promise<ExtractedText> {
    if (this.stopping) return Promise.reject(new PipelineError("internal_error", "extraction is shutting down", true));
    return new Promise((resolve, reject) => {
      this.waiting.push({ id: this.nextId++, jobId: req.jobId, bytes: req.bytes, ocr: req.ocr ?? "auto", pages: req.pages, userId: req.userId, large: false, alone: false, onProgress: req.onProgress, resolve, reject });
      this.dispatch();
    });
  }

  stats(): PoolStats {
    const live = this.slots.filter((s) => !s.retired);
    return { threads: live.length, busy: live.filter((s) => s.task).length, waiting: this.waiting.length, terminations: { ...this.terminations }, ocr: { ...this.ocr } };
  }

  /** Lets running extractions finish within timeoutMs, then ends every thread. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.memory.stop();
    for (const task of this.waiting.splice(0)) task.reject(new PipelineError("internal_error", "extraction is shutting down", true));
    const deadline = Date.now() + timeoutMs;
    while (this.slots.some((s) => s.task) && Date.now() < deadline) await Bun.sleep(50);
    await Promise.all(
      this.slots.splice(0).map((s) => {
        s.retired = true;
        clearTimeout(s.timer);
        s.task?.reject(new PipelineError("internal_error", "extraction is shutting down", true));
        return s.worker.terminate();
      }),
    );
  }

  private addThread(): Promise<void> {
    const { threads: _t, timeoutMs: _m, maxRssMb: _r, ocrPageTimeoutMs: _o, perUser: _u, spawn, ...data } = this.opts;
    const worker = spawn ? spawn(data) : new Worker(new URL("./pool-thread.ts", import.meta.url), { workerData: data });
    const slot: Slot = { worker, ready: false, retired: false };
    this.slots.push(slot);
    return new Promise((started) => {
      worker.on("message", (m: FromPoolThread) => {
        if (m.type === "ready") {
          slot.ready = true;
          started();
          this.dispatch();
        } else this.onMessage(slot, m);
      });
      worker.on("error", () => {});
      worker.on("exit", () => {
        started();
        this.onExit(slot);
      });
    });
  }

  private dispatch(): void {
    if (this.running().some((t) => t.alone)) return;
    const lone = this.waiting.findIndex((t) => t.alone);
    for (const slot of this.slots) {
      if (!slot.ready || slot.retired || slot.task) continue;
      // A PDF to be read alone waits for the others to finish, and nothing starts beside it.
      if (lone >= 0) {
        if (this.running().length === 0) this.run(slot, this.waiting.splice(lone, 1)[0]!);
        return;
      }
      const i = pickNext(this.waiting, this.running(), this.opts.threads, this.opts.perUser);
      if (i < 0) return;
      this.run(slot, this.waiting.splice(i, 1)[0]!);
    }
  }

  private running(except?: Slot): Task[] {
    return this.slots.filter((s) => s !== except && s.task && !s.retired).map((s) => s.task!);
  }

  private run(slot: Slot, task: Task): void {
    slot.task = task;
    this.budget(slot, this.opts.timeoutMs, ["pdf_too_complex", `reading the PDF took longer than ${this.opts.timeoutMs} ms (FOLIO_EXTRACT_TIMEOUT_MS); it was stopped`]);
    this.memory.begin(slot);
    try {
      // The thread gets a copy: a PDF stopped for memory may have to be read again.
      const bytes = task.bytes.slice();
      slot.worker.postMessage({ type: "extract", id: task.id, bytes, ocr: task.ocr, pages: task.pages } satisfies ToPoolThread, [bytes.buffer as ArrayBuffer]);
    } catch (err) {
      // A buffer that cannot be copied (already detached by its owner) must not hold the thread.
      this.release(slot);
      task.reject(new PipelineError("internal_error", "the PDF could not be handed to an extraction thread", true, undefined, (err as Error).message));
      queueMicrotask(() => this.dispatch());
    }
  }

  private onMessage(slot: Slot, m: Exclude<FromPoolThread, { type: "ready" }>): void {
    const task = slot.task;
    if (!task || task.id !== m.id) return;
    switch (m.type) {
      case "opened": {
        const proceed = mayReadLarge(this.running(slot), this.opts.threads);
        if (proceed) task.large = true;
        slot.worker.postMessage({ type: proceed ? "proceed" : "yield", id: task.id } satisfies ToPoolThread);
        return;
      }
      case "progress":
        if (m.stage === "ocr") {
          const ms = this.opts.ocrPageTimeoutMs;
          this.budget(slot, ms, ["ocr_timeout", `OCR of page ${m.done + 1} of ${m.total} to read took longer than ${ms} ms (FOLIO_OCR_PAGE_TIMEOUT_MS); it was stopped`]);
        }
        task.onProgress?.(m.done, m.total, m.stage);
        return;
      case "yielded":
        // The last thread free for small PDFs: this large one waits for a large-PDF slot.
        this.release(slot);
        this.waiting.unshift({ ...task, bytes: m.bytes, large: true });
        break;
      case "done":
        this.release(slot);
        if (m.text.ocr) {
          this.ocr.pages += Object.keys(m.text.ocr.confidence).length;
          this.ocr.seconds += m.text.ocr.ms / 1000;
        }
        task.resolve(m.text);
        break;
      case "failed":
        this.release(slot);
        task.reject(new PipelineError(m.failure.code, m.failure.message, m.failure.retryable, undefined, m.failure.detail));
        break;
    }
    this.dispatch();
  }

  private release(slot: Slot): void {
    clearTimeout(slot.timer);
    this.memory.end(slot);
    slot.task = undefined;
  }

  /** From now, the slot's PDF has `ms` before its thread is stopped with `overrun`. */
  private budget(slot: Slot, ms: number, [code, message]: Overrun): void {
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.stopThread(slot, "timeout", new PipelineError(code, message)), ms);
  }

  /**
   * Past a limit: the thread is ended and replaced, and the PDF fails with `outcome`
   * (pdf_too_complex is remembered by its hash) or, given a reason instead, waits to be read again alone.
   */
  private stopThread(slot: Slot, cause: "timeout" | "memory", outcome: PipelineError | string): void {
    const task = slot.task;
    if (!task) return;
    this.release(slot);
    slot.retired = true;
    this.terminations[cause]++;
    if (typeof outcome === "string") {
      log.warn({ jobId: task.jobId, cause }, `extraction stopped: ${outcome}`);
      this.waiting.unshift({ ...task, alone: true });
    } else {
      log.warn({ jobId: task.jobId, cause, code: outcome.code }, `extraction stopped: ${outcome.message}`);
      task.reject(outcome);
    }
    void slot.worker.terminate();
  }

  private onExit(slot: Slot): void {
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    if (slot.task && !slot.retired) {
      // Died under a PDF (not terminated by us): the PDF did it, and would again on a retry,
      // so it fails like one past a limit and is remembered by its hash.
      this.terminations.crash++;
      const task = slot.task;
      this.release(slot);
      log.warn({ jobId: task.jobId, cause: "crash" }, "extraction thread died while reading the PDF");
      task.reject(new PipelineError("pdf_too_complex", "the extraction thread died while reading the PDF"));
    }
    if (!this.stopping) void this.addThread();
  }
}
