/**
 * The lifecycle, the one writer of job state, on a real status writer (PGlite and Postgres)
 * and the real webhook queue in Redis: the order of writes holds whatever order they arrive
 * in, a final state is never overwritten, and reaching a final state announces the webhook
 * once, only for jobs that asked for one.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { localJobStore } from "../../db/job-store.ts";
import { JobsRepo } from "../../db/jobs-repo.ts";
import { StatusWriter } from "../../db/status-writer.ts";
import { JobLifecycle } from "../../src/jobs/lifecycle.ts";
import { PipelineError } from "../../src/errors/pipeline-error.ts";
import { WEBHOOK_QUEUE, WebhookQueue } from "../../src/webhooks/webhook-queue.ts";
import { testDatabases } from "../support/databases.ts";

const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
const prefix = `{folio-test-lifecycle-${process.pid}-${Date.now()}}`;
const webhooks = new WebhookQueue(redis, prefix, { attempts: 1, backoffMs: 10 });
const announced = new Queue(WEBHOOK_QUEUE, { connection: redis, prefix });
afterAll(async () => {
  await webhooks.close();
  await announced.obliterate({ force: true }).catch(() => {});
  await announced.close();
  redis.disconnect();
});

let n = 0;
for (const target of testDatabases("lifecycle")) {
  describe(`lifecycle on ${target.name}`, () => {
    afterAll(() => target.cleanup());
    const setup = async () => {
      const db = await target.open();
      const repo = new JobsRepo(db.db);
      const writer = new StatusWriter(db, { flushMs: 10, batchSize: 100, maxPending: 1000 });
      const lifecycle = new JobLifecycle({ store: localJobStore(repo, writer), announce: (id) => webhooks.announce(id) }, repo);
      const create = async (callbackUrl?: string) => {
        const id = `j_lc${process.pid}${target.name}${n++}`;
        await lifecycle.created(
          { id: `f_${id}`, userId: "u", sha256: "x", size: 1, filename: "a.pdf", storageKey: `f_${id}.pdf` },
          { id, userId: "u", fileId: `f_${id}`, pipeline: "staged", status: "queued", callbackUrl },
        );
        return id;
      };
      const row = async (id: string) => {
        await writer.flush();
        return (await repo.getJob(id, "u"))!;
      };
      return { lifecycle, create, row, writer };
    };

    test("later stages win over earlier ones, whatever order the writes arrive in", async () => {
      const { lifecycle, create, row } = await setup();
      const id = await create();
      const notes = lifecycle.track({ jobId: id }, 2, 1);
      const extract = lifecycle.track({ jobId: id }, 1, 1);
      await notes.progress("generating", 70);
      // A late progress write from the extract stage arrives after the notes stage's.
      await extract.progress("extracting", 40);
      expect(await row(id)).toMatchObject({ status: "generating", progress: 70 });
      // A second attempt of the same stage is newer than the first.
      await lifecycle.track({ jobId: id }, 2, 2).progress("downloading", 5);
      await notes.progress("saving", 90);
      expect(await row(id)).toMatchObject({ status: "downloading", attempts: 2 });
    });

    test("a final state is never overwritten: not by a late progress, a queue's failure, or an enqueue failure", async () => {
      const { lifecycle, create, row } = await setup();
      const id = await create();
      const t = lifecycle.track({ jobId: id }, 3, 1);
      await t.completed("n_x", { cacheHit: false });
      await lifecycle.track({ jobId: id }, 3, 1).progress("saving", 90);
      await lifecycle.failedByQueue(id, "job stalled more than allowable limit");
      await lifecycle.enqueueFailed(id, undefined);
      expect(await row(id)).toMatchObject({ status: "completed", progress: 100, notesId: "n_x", errorCode: null });
    });

    test("failures from outside the consumers are final with a reason, after any stage's writes", async () => {
      const { lifecycle, create, row } = await setup();
      const stalled = await create();
      await lifecycle.track({ jobId: stalled }, 3, 5).progress("saving", 90);
      await lifecycle.failedByQueue(stalled, "job stalled more than allowable limit");
      expect(await row(stalled)).toMatchObject({ status: "failed", errorCode: "internal_error", errorMessage: "the workers handling the job stopped (crashed or were killed) too many times" });
      const refused = await create();
      await lifecycle.enqueueFailed(refused, undefined);
      expect(await row(refused)).toMatchObject({ status: "failed", errorCode: "enqueue_failed" });
    });

    test("a final state announces the webhook, once, and only for jobs with a callback URL", async () => {
      const { lifecycle, create } = await setup();
      const withHook = await create("https://example.com/hook");
      const without = await create();
      await lifecycle.track({ jobId: withHook, callbackUrl: "https://example.com/hook" }, 1, 1).failed(new PipelineError("pdf_encrypted", "locked"));
      await lifecycle.failedByQueue(withHook, "late duplicate from the watcher");
      await lifecycle.track({ jobId: without }, 1, 1).completed("n_y");
      expect(await announced.getJob(withHook)).toBeDefined();
      expect(await announced.getJob(without)).toBeUndefined();
      expect((await announced.getJobs(["waiting", "delayed", "active", "completed", "failed"])).filter((j) => j.data.jobId === withHook)).toHaveLength(1);
    });
  });
}
