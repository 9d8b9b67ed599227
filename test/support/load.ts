import { QUEUE_NAMES } from "../../src/jobs/pipelines.ts";
import { fixture, goodFixtures } from "./fixtures.ts";
import { uploadFile, waitFinal } from "./client.ts";

/** The small fixtures: a few hundred of them make a load that finishes in seconds. */
export const smallPdfs = () => goodFixtures().filter((e) => e.size < 300_000 && (e.pages ?? 99) <= 30).map((e) => fixture(e.filename));

export interface Tally {
  accepted: number;
  completed: number;
  failedWithReason: number;
  lost: number;
  refused: number;
}

/** Uploads n PDFs (both pipelines), returning the accepted job ids and how many were refused (e.g. 503 in an outage). */
export async function uploadMany(url: string, n: number, opts: { pauseMs?: number; onEach?: (i: number) => void | Promise<void> } = {}) {
  const files = smallPdfs();
  const accepted: string[] = [];
  let refused = 0;
  for (let i = 0; i < n; i++) {
    await opts.onEach?.(i);
    const up = await uploadFile(url, files[i % files.length]!, { pipeline: i % 3 === 0 ? "staged" : "optimized" }).catch(() => ({ status: 0, body: {} as any }));
    if (up.status === 202 || up.status === 200) accepted.push(up.body.jobId);
    else refused++;
    if (opts.pauseMs) await Bun.sleep(opts.pauseMs);
  }
  return { accepted, refused };
}

/** Follows every accepted job to its end; a job not final in time counts as lost. */
export async function tally(url: string, accepted: string[], refused: number, timeoutMs = 180_000): Promise<Tally & { finals: any[] }> {
  const finals = await Promise.all(accepted.map((id) => waitFinal(url, id, timeoutMs).catch(() => ({ id, status: "lost" }))));
  return {
    finals,
    accepted: accepted.length,
    completed: finals.filter((f) => f.status === "completed").length,
    failedWithReason: finals.filter((f) => f.status === "failed" && f.error?.code).length,
    lost: finals.filter((f) => f.status !== "completed" && !(f.status === "failed" && f.error?.code)).length,
    refused,
  };
}

export function report(name: string, t: Tally): void {
  console.log(`FAULT ${name}: accepted=${t.accepted} completed=${t.completed} failed-with-reason=${t.failedWithReason} lost=${t.lost} refused=${t.refused}`);
}

/** Locks expire fast so a killed worker's jobs are picked up again within seconds; admission limits out of the way of the load. */
export function fastRecoveryEnv(): Record<string, string> {
  const env: Record<string, string> = { FOLIO_RATE_LIMIT_PER_MIN: "100000", FOLIO_MAX_IN_FLIGHT_PER_USER: "100000", FOLIO_MAX_UPLOADS_IN_PROGRESS_PER_USER: "100000", FOLIO_MAX_UPLOADS_IN_PROGRESS: "100000" };
  for (const q of QUEUE_NAMES) {
    const k = `FOLIO_${q.toUpperCase().replace(/-/g, "_")}`;
    env[`${k}_LOCK_DURATION_MS`] = "4000";
    env[`${k}_STALLED_INTERVAL_MS`] = "2000";
  }
  return env;
}

