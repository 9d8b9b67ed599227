/** The thread side of bench/db-access.ts. */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Db } from "../db/client.ts";
import { JobsRepo } from "../db/jobs-repo.ts";
import * as schema from "../db/schema.ts";
import { remoteJobStore } from "../workers/store-rpc.ts";

const { mode, port, url } = workerData as { mode: "rpc" | "socket"; port: MessagePort; url: string };
const sql = mode === "socket" ? postgres(url, { max: 20, onnotice: () => {} }) : undefined;
const save = mode === "rpc" ? remoteJobStore(port).saveNotes : (row: Parameters<JobsRepo["saveNotes"]>[0]) => new JobsRepo(drizzle({ client: sql!, schema }) as unknown as Db).saveNotes(row);
const notes = { userId: "u", sha256: "x", title: "t", summary: "s".repeat(1500), keyPoints: ["k"], outline: [], markdown: "m".repeat(3000), generator: "extractive", model: null, usage: null };
let n = 0;
const row = () => {
  n++;
  return { id: `n_${mode}${n}`, jobId: `j_${mode}${n}`, ...notes };
};
for (let i = 0; i < 50; i++) await save(row());
let start = performance.now();
for (let i = 0; i < 500; i++) await save(row());
const sequential = 500 / ((performance.now() - start) / 1000);
start = performance.now();
let next = 0;
let failed = 0;
let firstError = "";
await Promise.all(Array.from({ length: 20 }, async () => {
  while (next++ < 1000) {
    await save(row()).catch((err: Error) => {
      failed++;
      firstError ||= String((err.cause as Error)?.message ?? err.message).slice(0, 120);
    });
  }
}));
const parallel = (1000 - failed) / ((performance.now() - start) / 1000);
await sql?.end();
parentPort!.postMessage({ sequential, parallel, failed, firstError });
