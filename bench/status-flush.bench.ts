import { eq } from "drizzle-orm";
import { openDatabase, type Database } from "../db/client.ts";
import { statusSeq } from "../db/job-status.ts";
import { jobs } from "../db/schema.ts";
import { batchUpdateSql } from "../db/status-writer.ts";
import type { BenchSuite } from "./lib/comparison.ts";

let db: Database | undefined;

/** One batched flush of 200 rows against 200 single UPDATEs (PGlite). */
export const statusFlush: BenchSuite = {
  name: "status-flush",
  async setup() {
    db = await openDatabase({ pgliteDir: "memory://" });
    const ids = Array.from({ length: 200 }, (_, i) => `j_flush_${i}`);
    await db.db.insert(jobs).values(ids.map((id) => ({ id, userId: "u", fileId: "f", pipeline: "optimized", status: "queued" })));
    let round = 0;
    const changes = () => ids.map((jobId) => ({ jobId, status: "extracting" as const, progress: round++ % 100, seq: statusSeq(0, 1, "extracting") }));
    return [
      {
        name: "status flush of 200 rows: one statement vs 200 UPDATEs (PGlite)",
        project: () => db!.run(batchUpdateSql(changes())),
        reference: async () => {
          for (const c of changes()) await db!.db.update(jobs).set({ status: c.status, progress: c.progress }).where(eq(jobs.id, c.jobId));
        },
        against: "200 single UPDATEs",
      },
    ];
  },
  async teardown() {
    await db?.close();
  },
};
