import type { Storage } from "../storage/storage.ts";
import { StorageUnavailable } from "../storage/storage-unavailable.ts";
import type { OutageLog } from "./outage-log.ts";

/** The one source of a process's storage OutageLog (see watchedStorage). */
const STORE = "file store";

/** Where a store's outage is told: the process's OutageLog, or a thread's message to it. */
export interface OutageReporter {
  failed(err: unknown): void;
  recovered(): void;
}

/** A process's storage OutageLog as a reporter: the main thread's store and every thread's message feed it. */
export const reportTo = (outage: OutageLog): OutageReporter => ({
  failed: (err) => outage.failed(STORE, err),
  recovered: () => outage.recovered(STORE),
});

/**
 * A store whose outages are reported as they meet callers (uploads and jobs answer or wait on
 * their own, without a trace), and whose first success after one reports it back. The store
 * is one remote service: any caller's success means it answers again, so every thread and
 * the main thread feed one source of the process's OutageLog.
 */
export function watchedStorage(storage: Storage, report: OutageReporter): Storage {
  let down = false;
  const watch =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        const result = await call(...args);
        if (down) {
          down = false;
          report.recovered();
        }
        return result;
      } catch (err) {
        // Every failure is told (the OutageLog keeps one line an outage): a store down again
        // after another caller saw it come back is a new outage.
        if (err instanceof StorageUnavailable) {
          down = true;
          report.failed(err);
        }
        throw err;
      }
    };
  return {
    kind: storage.kind,
    put: watch(storage.put.bind(storage)),
    get: watch(storage.get.bind(storage)),
    delete: watch(storage.delete.bind(storage)),
    exists: watch(storage.exists.bind(storage)),
    move: watch(storage.move.bind(storage)),
  };
}
