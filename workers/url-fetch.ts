import { downloadUrl } from "../src/ingest/download-url.ts";
import type { UrlJobData } from "../src/queues/job-data.ts";
import { NotYet } from "../src/errors/pipeline-error.ts";
import type { JobTracker } from "../src/jobs/job-tracker.ts";
import type { Consumer, ConsumerDeps } from "./consumer.ts";
import { PHASES } from "../src/jobs/phases.ts";

/**
 * An upload by URL, step 0: stream the PDF into storage (hashing it on the way), record
 * its hash, then hand the job to its pipeline, whose queue wait starts now. Download
 * progress is reported as 1–4 %; the pipeline's own stages report from 5 % on.
 */
export const urlFetch: Consumer<UrlJobData> = {
  queue: "url-fetch",
  async process(job, t, deps) {
    const { data } = job;
    // One user's slow URLs must not hold every url-fetch slot: past their share, wait.
    if (!(await deps.downloadSlots.acquire(data.userId, data.jobId))) {
      throw new NotYet(Date.now() + 1000 + Math.floor(Math.random() * 500), `${data.userId} has ${deps.options.fetchesPerUser} downloads running`);
    }
    try {
      return await fetchAndHandOn(job.data, t, deps);
    } finally {
      await deps.downloadSlots.release(data.userId, data.jobId).catch(() => {});
    }
  },
};

async function fetchAndHandOn({ url, ...data }: UrlJobData, t: JobTracker, deps: ConsumerDeps) {
  await t.enter("fetching");
  const fetched = await t.timed("fetching", () =>
    downloadUrl(
      url,
      {
        ...deps.options.download,
        onProgress(received, total) {
          // A size not announced: one step past the start says the bytes are coming.
          void (total ? t.advance("fetching", received, total) : t.advance("fetching", 1, PHASES.fetching.to - PHASES.fetching.from)).catch(() => {});
        },
      },
      (body) => deps.storage.put(data.storageKey, body),
    ),
  );
  await t.leave("fetching");
  await deps.store.fileFetched({ fileId: data.fileId, sha256: fetched.sha256, size: fetched.size });
  await deps.producer.enqueue({ ...data, sha256: fetched.sha256, sourceUrl: url, acceptedAt: Date.now() });
  return { sha256: fetched.sha256, size: fetched.size, finalUrl: fetched.finalUrl, timings: t.getTimings() };
}
