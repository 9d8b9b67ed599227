import type { MessagePort } from "node:worker_threads";
import type { JobStore } from "./job-store.ts";

/**
 * PGlite lives in one thread (it allows one connection): worker threads reach the database owner's
 * JobStore over a MessagePort. Measured cheaper than serving PGlite over the wire protocol,
 * and it lets the owner's status batcher coalesce writes from every thread.
 */
type Method = keyof JobStore;
interface Request {
  id: number;
  method: Method;
  arg: unknown;
}
interface Response {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

export function serveJobStore(port: MessagePort, store: JobStore): void {
  port.on("message", async (req: Request) => {
    try {
      const value = await (store[req.method] as (arg: unknown) => Promise<unknown>)(req.arg);
      port.postMessage({ id: req.id, ok: true, value } satisfies Response);
    } catch (err) {
      port.postMessage({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies Response);
    }
  });
}

export function remoteJobStore(port: MessagePort): JobStore {
  let nextId = 0;
  const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  port.on("message", (res: Response) => {
    const call = calls.get(res.id);
    if (!call) return;
    calls.delete(res.id);
    if (res.ok) call.resolve(res.value);
    else call.reject(new Error(res.error));
  });
  const invoke = <T>(method: Method, arg: unknown) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      port.postMessage({ id, method, arg } satisfies Request);
    });
  return {
    update: (change) => invoke("update", change),
    progress: (change) => invoke("progress", change),
    saveNotes: (row) => invoke("saveNotes", row),
    fileFetched: (f) => invoke("fileFetched", f),
  };
}
