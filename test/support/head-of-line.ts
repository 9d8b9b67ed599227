import { getJson, uploadBlob, waitFinal } from "./client.ts";
import { fixtureBytes } from "./fixtures.ts";
import { variant } from "./pdf-factory.ts";

/** Upload to notes, as the job's row says (accepted at createdAt, done at finishedAt). */
export const uploadToNotesMs = (job: { createdAt: string; finishedAt: string }) => Date.parse(job.finishedAt) - Date.parse(job.createdAt);

async function run(url: string, bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const up = await uploadBlob(url, bytes, "doc.pdf");
  if (up.status !== 202) throw new Error(`upload refused: ${up.status} ${JSON.stringify(up.body)}`);
  return up.body.jobId;
}

export interface HeadOfLine {
  /** Median upload-to-notes of the small PDF on the idle service, one at a time. */
  idleMs: number;
  /** The same burst of five on the idle service, no long PDF: what the burst costs by itself. */
  idleBurstMs: number[];
  /** Median of three small PDFs uploaded one after the other from 0.3 s after the long one. */
  underLoadOneMs: number;
  /** Then five small PDFs at once, each against the idle burst. */
  underLoadMs: number[];
  /** The long PDF's status when the last small one was done. */
  longStatusThen: string;
  longJobId: string;
}

/**
 * The head-of-line scenario (bench:head-of-line and test/e2e/extraction.test.ts): a long
 * PDF (a 3,000-page generated one, a 40-page scan), then small PDFs from 0.3 s later (three
 * one after another, then five at once); each small one's upload-to-notes time against its
 * time on the idle service. Distinct bytes
 * every time (`salt`), so the cache answers none of them.
 */
export async function headOfLine(url: string, long: Uint8Array<ArrayBuffer>, salt = Date.now()): Promise<HeadOfLine> {
  const small = await fixtureBytes("paper-bookmarks.pdf");
  const oneByOne = async (from: number) => {
    const ms: number[] = [];
    for (let i = 0; i < 3; i++) ms.push(uploadToNotesMs(await waitFinal(url, await run(url, variant(small, from + i)))));
    return ms.sort((a, b) => a - b)[1]!;
  };
  const idleMs = await oneByOne(salt + 100);
  const burst = async (from: number) => {
    const ids = await Promise.all(Array.from({ length: 5 }, (_, i) => run(url, variant(small, from + i))));
    const done = await Promise.all(ids.map((id) => waitFinal(url, id)));
    if (done.some((j) => j.status !== "completed")) throw new Error(`a small PDF failed: ${JSON.stringify(done)}`);
    return done.map(uploadToNotesMs).sort((a, b) => a - b);
  };
  const idleBurstMs = await burst(salt + 200);
  const longJobId = await run(url, long);
  await Bun.sleep(300);
  const underLoadOneMs = await oneByOne(salt + 300);
  const underLoadMs = await burst(salt);
  const longStatusThen = (await getJson(`${url}/jobs/${longJobId}`)).body.status;
  return { idleMs, idleBurstMs, underLoadOneMs, underLoadMs, longStatusThen, longJobId };
}
