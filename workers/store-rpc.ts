import type { MessagePort } from "node:worker_threads";
import type { JobStore } from "../db/job-store.ts";
import { rpcClient, serveRpc } from "../src/threads/port-rpc.ts";

/**
 * PGlite lives in one thread (it allows one connection): worker threads reach the database
 * owner's JobStore over a MessagePort. Measured cheaper than serving PGlite over the wire
 * protocol, and it lets the owner's status batcher coalesce writes from every thread.
 */
export function serveJobStore(port: MessagePort, store: JobStore): void {
  serveRpc(port, store);
}

export function remoteJobStore(port: MessagePort): JobStore {
  const rpc = rpcClient<JobStore>(port);
  return {
    update: (change) => rpc.call("update", change),
    progress: (change) => rpc.call("progress", change),
    saveNotes: (row) => rpc.call("saveNotes", row),
    fileFetched: (f) => rpc.call("fileFetched", f),
  };
}
