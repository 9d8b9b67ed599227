import { afterAll, describe, expect, test } from "bun:test";
import type { Database } from "../../db/client.ts";
import { statusSeq, type JobStatus, type StatusChange } from "../../db/job-status.ts";
import { JobsRepo } from "../../db/jobs-repo.ts";
import { StatusWriter } from "../../db/status-writer.ts";
import { batchUpdateJobStatus } from "../../db/jobs-service.ts";
import { testDatabases } from "../support/databases.ts";

let counter = 0;
async function newJobs(db: Database, n: number): Promise<string[]> {
  const repo = new JobsRepo(db.db);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `j_sw${process.pid}_${counter++}`;
    await repo.createUpload(
      { id: `f_${id}`, userId: "u", sha256: "x", size: 1, filename: "a.pdf", storageKey: `f_${id}.pdf` },
      { id, userId: "u", fileId: `f_${id}`, pipeline: "optimized", status: "queued" },
    );
    ids.push(id);
  }
  return ids;
}

const change = (jobId: string, status: JobStatus, progress: number, stage = 0, attempt = 1): StatusChange => ({
  jobId,
  status,
  progress,
  seq: statusSeq(stage, attempt, status),
  attempts: attempt,
});

const row = async (db: Database, id: string) => (await new JobsRepo(db.db).getJob(id, "u"))!;

for (const target of testDatabases("statuswriter")) {
  describe(`status writer on ${target.name}`, () => {
    afterAll(() => target.cleanup());
    const writer = async (opts: Partial<ConstructorParameters<typeof StatusWriter>[1]> = {}) =>
      new StatusWriter(await target.open(), { flushMs: 20, batchSize: 200, maxPending: 10_000, ...opts });

    test("coalesces a job's changes into one row write, latest wins", async () => {
      const db = await target.open();
      const [id] = await newJobs(db, 1);
      const w = await writer();
      const writes = [
        w.write(change(id!, "downloading", 5)),
        w.write({ ...change(id!, "extracting", 30), extractMs: 12 }),
        w.write(change(id!, "generating", 60)),
      ];
      await Promise.all(writes);
      expect(w.stats()).toMatchObject({ flushes: 1, rowsWritten: 1 });
      expect(await row(db, id!)).toMatchObject({ status: "generating", progress: 60, extractMs: 12 });
    });

    test("a late, older status never overwrites a final one", async () => {
      const db = await target.open();
      const [a, b] = await newJobs(db, 2);
      const w = await writer();
      await w.write({ ...change(a!, "completed", 100), notesId: "n_1" });
      await w.write(change(a!, "extracting", 40));
      // In one batch too: the final state wins whatever the order of arrival.
      await Promise.all([w.write(change(b!, "failed", 100)), w.write(change(b!, "generating", 60))]);
      expect(await row(db, a!)).toMatchObject({ status: "completed", progress: 100, notesId: "n_1" });
      expect((await row(db, a!)).finishedAt).toBeInstanceOf(Date);
      expect((await row(db, b!)).status).toBe("failed");
    });

    test("a write from an earlier stage or attempt is skipped as stale", async () => {
      const db = await target.open();
      const [id] = await newJobs(db, 1);
      const w = await writer();
      await w.write(change(id!, "generating", 60, 1, 1));
      await w.write(change(id!, "extracting", 50, 0, 3));
      expect((await row(db, id!)).status).toBe("generating");
      await w.write(change(id!, "downloading", 5, 1, 2));
      expect((await row(db, id!)).status).toBe("downloading");
    });

    test("flushes by size without waiting for the timer, one statement per batch", async () => {
      const db = await target.open();
      const ids = await newJobs(db, 50);
      const w = await writer({ flushMs: 60_000, batchSize: 50 });
      const started = performance.now();
      await Promise.all(ids.map((id) => w.write(change(id, "extracting", 20))));
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(w.stats()).toMatchObject({ flushes: 1, rowsWritten: 50, pending: 0 });
    });

    test("flushes by time when the batch stays small", async () => {
      const db = await target.open();
      const [id] = await newJobs(db, 1);
      const w = await writer({ flushMs: 150, batchSize: 1000 });
      const started = performance.now();
      await w.write(change(id!, "saving", 90));
      const took = performance.now() - started;
      expect(took).toBeGreaterThanOrEqual(140);
      expect((await row(db, id!)).status).toBe("saving");
    });

    test("close() writes everything still pending", async () => {
      const db = await target.open();
      const ids = await newJobs(db, 5);
      const w = await writer({ flushMs: 60_000, batchSize: 1000 });
      for (const id of ids) void w.write(change(id, "generating", 70));
      expect(w.stats().pending).toBe(5);
      await w.close();
      for (const id of ids) expect((await row(db, id)).status).toBe("generating");
    });

    test("a failing database keeps the rows and retries until it takes them", async () => {
      const db = await target.open();
      const [id] = await newJobs(db, 1);
      let failuresLeft = 3;
      const flaky: Database = {
        ...db,
        run: async (q) => {
          if (failuresLeft-- > 0) throw new Error("connection refused");
          return db.run(q);
        },
      };
      const w = new StatusWriter(flaky, { flushMs: 10, batchSize: 200, maxPending: 10_000 });
      await w.write({ ...change(id!, "completed", 100), notesId: "n_x" });
      expect(w.stats().failures).toBe(3);
      expect((await row(db, id!)).status).toBe("completed");
    });

    test("past the buffer bound, producers wait for room instead of rows being dropped", async () => {
      const db = await target.open();
      const ids = await newJobs(db, 3);
      let down = true;
      const outage: Database = { ...db, run: async (q) => (down ? Promise.reject(new Error("connection refused")) : db.run(q)) };
      const w = new StatusWriter(outage, { flushMs: 10, batchSize: 200, maxPending: 2 });
      await w.submit(change(ids[0]!, "extracting", 20));
      await w.submit(change(ids[1]!, "extracting", 20));
      let third = false;
      const blocked = w.submit(change(ids[2]!, "extracting", 20)).then(() => (third = true));
      await Bun.sleep(300);
      expect(third).toBe(false);
      expect(w.stats().pending).toBe(2);
      down = false;
      await blocked;
      await w.flush();
      for (const id of ids) expect((await row(db, id)).status).toBe("extracting");
    });
  });
}

describe("status writer with a row the database refuses", () => {
  const [pglite] = testDatabases("statuswriter-poison");
  afterAll(() => pglite!.cleanup());
  test("the other rows of the batch are still written, and the bad one is reported", async () => {
    const db = await pglite!.open();
    const [good, bad] = await newJobs(db, 2);
    const rejected: string[] = [];
    const w = new StatusWriter(db, { flushMs: 10, batchSize: 200, maxPending: 10_000, onRejected: (c) => rejected.push(c.jobId) });
    await Promise.all([
      w.write(change(good!, "generating", 60)),
      // Postgres refuses NUL in text: a data error, not an outage.
      w.write({ ...change(bad!, "failed", 100), error: { code: "internal_error", message: "bad \u0000 byte" } }),
    ]);
    expect((await row(db, good!)).status).toBe("generating");
    expect(rejected).toEqual([bad!]);
    expect(w.stats()).toMatchObject({ rejected: 1, pending: 0 });
  });
});

describe("batchUpdateJobStatus", () => {
  const [pglite] = testDatabases("statuswriter-api");
  afterAll(() => pglite!.cleanup());
  test("writes many jobs' statuses through the batcher in one statement", async () => {
    const db = await pglite!.open();
    const ids = await newJobs(db, 30);
    const w = new StatusWriter(db, { flushMs: 20, batchSize: 200, maxPending: 10_000 });
    await batchUpdateJobStatus(w, ids.map((jobId, i) => ({ jobId, status: i % 2 ? "completed" : "extracting", progress: i % 2 ? undefined : 40 })));
    expect(w.stats()).toMatchObject({ flushes: 1, rowsWritten: 30 });
    expect(await row(db, ids[0]!)).toMatchObject({ status: "extracting", progress: 40 });
    expect(await row(db, ids[1]!)).toMatchObject({ status: "completed", progress: 100 });
  });
});
