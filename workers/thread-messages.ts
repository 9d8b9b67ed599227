/** Messages between the thread host (main thread) and a worker thread. */
export type HostMessage = { type: "drain"; timeoutMs: number };
export type ThreadMessage = { type: "ready" } | { type: "drained"; timedOut: boolean };
