/**
 * How worker threads reach the one PGlite (ARCHITECTURE.md asks to choose by measurement):
 *   A. a MessagePort RPC to the owner thread's JobStore (what Folio does), against
 *   B. PGlite served over the Postgres wire protocol (@electric-sql/pglite-socket), postgres.js in the thread.
 * The thread saves notes rows (the pipeline's one database write) one at a time and 20 in flight.
 * `bun bench/db-access.ts`
 */
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { resolve } from "node:path";
import { MessageChannel, Worker } from "node:worker_threads";
import { localJobStore } from "../db/job-store.ts";
import { JobsRepo } from "../db/jobs-repo.ts";
import * as schema from "../db/schema.ts";
import type { Db } from "../db/client.ts";
import { serveJobStore } from "../workers/store-rpc.ts";
import { StatusWriter } from "../db/status-writer.ts";
import { freePort } from "../test/support/service-process.ts";

const client = await PGlite.create("memory://");
const db = drizzle({ client, schema });
await migrate(db, { migrationsFolder: resolve(import.meta.dir, "../db/migrations") });
const repo = new JobsRepo(db as unknown as Db);
const port = await freePort();
const server = new PGLiteSocketServer({ db: client, port, host: "127.0.0.1", maxConnections: 20 });
await server.start();

type Result = { sequential: number; parallel: number; failed: number; firstError: string };
async function run(mode: "rpc" | "socket"): Promise<Result> {
  const { port1, port2 } = new MessageChannel();
  if (mode === "rpc") serveJobStore(port1, localJobStore(repo, new StatusWriter({ run: async () => ({ rows: [], changed: 0 }) } as never, { flushMs: 50, batchSize: 200, maxPending: 1000 })));
  const worker = new Worker(new URL("./db-access.worker.ts", import.meta.url), {
    workerData: { mode, port: port2, url: `postgres://postgres@127.0.0.1:${port}/postgres` },
    transferList: [port2],
  });
  const result = await new Promise<Result>((r) => worker.once("message", r));
  await worker.terminate();
  port1.close();
  return result;
}

const rpc = await run("rpc");
const socket = await run("socket");
console.log("| path | saves/s, one at a time | saves/s, 20 in flight |\n|---|---|---|");
console.log(`| MessagePort RPC to the owner thread | ${rpc.sequential.toFixed(0)} | ${rpc.parallel.toFixed(0)} |`);
console.log(`| pglite-socket + postgres.js | ${socket.sequential.toFixed(0)} | ${socket.parallel.toFixed(0)}${socket.failed ? ` (${socket.failed} of 1000 failed: ${socket.firstError})` : ""} |`);
console.log(`| RPC / socket | ${(rpc.sequential / socket.sequential).toFixed(2)}× | ${(rpc.parallel / socket.parallel).toFixed(2)}× |`);
await server.stop();
await client.close();
process.exit(0);
