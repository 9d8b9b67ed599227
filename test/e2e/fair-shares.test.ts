/**
 * Fair shares at the queue, through the service: with one user's backlog queued, another
 * user's first upload is taken next, not after the backlog (FOLIO_FAIR_SHARES, on by default).
 * The order without them is tested at the producer (test/queues/producer.test.ts).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { uploadBlob } from "../support/client.ts";
import { fixture } from "../support/fixtures.ts";
import { startInProcess, type InProcessService } from "../support/in-process-service.ts";
import { startOpenAIStandIn, type StandIn } from "../support/openai-standin.ts";
import { variant } from "../support/pdf-factory.ts";

const ALICE = "alice-key-0123456789abcdef";
const BOB = "bob-key-0123456789abcdef00";
const BACKLOG = 10;
let standIn: StandIn;
let svc: InProcessService;
let slides: Uint8Array;
let made = 0;

beforeAll(async () => {
  // Each model call takes 250 ms and one job runs at a time per stage: the backlog lasts seconds.
  standIn = startOpenAIStandIn({ latencyMs: 250 });
  slides = new Uint8Array(await Bun.file(fixture("slides.pdf")).arrayBuffer());
  svc = await startInProcess({
    name: "fair-shares",
    env: {
      OPENAI_BASE_URL: standIn.url,
      OPENAI_API_KEY: "stand-in",
      FOLIO_API_KEYS: `${ALICE}:alice,${BOB}:bob`,
      FOLIO_CACHE: "off",
      FOLIO_PDF_NOTES_OPTIMIZED_CONCURRENCY: "1",
      FOLIO_PDF_EXTRACT_CONCURRENCY: "1",
      FOLIO_AI_NOTES_CONCURRENCY: "1",
    },
  });
}, 60_000);
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  await standIn.stop();
});

async function finished(key: string, jobId: string): Promise<{ status: string; finishedAt: number }> {
  for (;;) {
    const job = (await (await fetch(`${svc.url}/jobs/${jobId}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { status: string; finishedAt: string | null };
    if (job.finishedAt !== null) return { status: job.status, finishedAt: Date.parse(job.finishedAt) };
    await Bun.sleep(50);
  }
}

for (const pipeline of ["optimized", "staged"]) {
  test(`${pipeline} pipeline: with one user's ${BACKLOG} jobs queued, another user's first upload is taken next`, async () => {
    const alice: string[] = [];
    for (let i = 0; i < BACKLOG; i++) {
      const up = await uploadBlob(svc.url, variant(slides, made++), "slides.pdf", { pipeline }, ALICE);
      expect(up.status).toBe(202);
      alice.push(up.body.jobId);
    }
    const up = await uploadBlob(svc.url, variant(slides, made++), "slides.pdf", { pipeline }, BOB);
    expect(up.status).toBe(202);
    const bob = await finished(BOB, up.body.jobId);
    const backlog = await Promise.all(alice.map((id) => finished(ALICE, id)));
    expect([bob, ...backlog].map((j) => j.status)).toEqual(Array(BACKLOG + 1).fill("completed"));
    // Only the jobs a worker had already taken (one per stage) may finish first; first come,
    // first served would put Bob's behind all of them.
    expect(backlog.filter((j) => j.finishedAt < bob.finishedAt).length).toBeLessThanOrEqual(pipeline === "staged" ? 3 : 2);
  }, 60_000);
}
