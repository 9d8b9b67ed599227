/**
 * The extraction pool in the running service: hostile PDFs are cut at the timeout and
 * remembered, other users carry on, and a long document does not hold up small ones.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { waitFinal } from "../support/client.ts";
import { fixtureBytes } from "../support/fixtures.ts";
import { headOfLine, uploadToNotesMs as took } from "../support/head-of-line.ts";
import { longPdf, nestedXObjectPdf, variant } from "../support/pdf-factory.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

const MALLORY = "mallory-key-0123456789";
const ALICE = "alice-key-0123456789ab";
/** The extraction timeout the hostile PDFs run into: the time bounds below are its fractions. */
const TIMEOUT_MS = 3000;
let shared: ServiceProcess;
let single: ServiceProcess;

beforeAll(async () => {
  [shared, single] = await Promise.all([
    startServiceProcess({
      name: "extraction-users",
      env: { FOLIO_EXTRACT_THREADS: "2", FOLIO_EXTRACT_TIMEOUT_MS: String(TIMEOUT_MS), FOLIO_API_KEYS: `${MALLORY}:mallory:admin,${ALICE}:alice` },
    }),
    startServiceProcess({ name: "extraction-single", env: { FOLIO_EXTRACT_THREADS: "2", FOLIO_EXTRACT_LARGE_PAGES: "500" } }),
  ]);
}, 120_000);
afterAll(async () => {
  for (const s of [shared, single]) {
    await s?.stop();
    s?.cleanup();
  }
});

const as = (key: string) => ({ authorization: `Bearer ${key}` });
async function upload(svc: ServiceProcess, bytes: Uint8Array<ArrayBuffer>, key?: string) {
  const form = new FormData();
  form.append("file", new Blob([bytes]), "doc.pdf");
  const res = await fetch(`${svc.url}/uploads`, { method: "POST", body: form, headers: key ? as(key) : {} });
  expect(res.status).toBe(202);
  return ((await res.json()) as any).jobId as string;
}
async function final(svc: ServiceProcess, jobId: string, key?: string) {
  for (const end = Date.now() + 60_000; Date.now() < end; await Bun.sleep(50)) {
    const body = (await (await fetch(`${svc.url}/jobs/${jobId}`, { headers: key ? as(key) : {} })).json()) as any;
    if (body.status === "completed" || body.status === "failed") return body;
  }
  throw new Error(`job ${jobId} not final`);
}

describe("hostile PDFs", () => {
  test("one that outruns the timeout fails pdf_too_complex; the same bytes again fail at once; the next upload completes", async () => {
    const hostile = nestedXObjectPdf(7, 10);
    const first = await final(shared, await upload(shared, hostile, MALLORY), MALLORY);
    expect(first).toMatchObject({ status: "failed", error: { code: "pdf_too_complex" } });
    expect(took(first)).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(took(first)).toBeLessThan(2 * TIMEOUT_MS);
    const again = await final(shared, await upload(shared, hostile, MALLORY), MALLORY);
    expect(again).toMatchObject({ status: "failed", error: { code: "pdf_too_complex", message: expect.stringContaining("failed the same way before") } });
    // Remembered by hash: no thread reads it again, so no timeout is waited out.
    expect(took(again)).toBeLessThan(TIMEOUT_MS / 2);
    const ordinary = await final(shared, await upload(shared, await fixtureBytes("slides.pdf"), ALICE), ALICE);
    expect(ordinary.status).toBe("completed");
    // The worker process posts its pool's state every 2 s; the report and /metrics show it,
    // once the terminated thread's replacement is up.
    let extraction: any;
    for (let i = 0; i < 100 && !(extraction?.terminations.timeout >= 1 && extraction?.threads === 2); i++, await Bun.sleep(100)) {
      extraction = ((await (await fetch(`${shared.url}/jobs/monitoring/report`, { headers: as(MALLORY) })).json()) as any).extraction;
    }
    expect(extraction).toMatchObject({ pools: 1, threads: 2, terminations: { timeout: 1, crash: 0 } });
    const metrics = await (await fetch(`${shared.url}/metrics`, { headers: as(MALLORY) })).text();
    expect(metrics).toContain('folio_extract_terminations_total{cause="timeout"} 1');
    expect(metrics).toContain('folio_extract_threads{state="all"} 2');
  }, 60_000);

  test("two hostile uploads at once by one user do not hold up another user's ordinary upload", async () => {
    const alone = took(await final(shared, await upload(shared, variant(await fixtureBytes("paper-bookmarks.pdf"), 7), ALICE), ALICE));
    const hostile = [await upload(shared, nestedXObjectPdf(7, 9), MALLORY), await upload(shared, variant(nestedXObjectPdf(7, 9), 1), MALLORY)];
    await Bun.sleep(300);
    const ordinary = await final(shared, await upload(shared, await fixtureBytes("paper-bookmarks.pdf"), ALICE), ALICE);
    expect(ordinary.status).toBe("completed");
    // Waiting for a thread would have meant waiting out a hostile one's timeout.
    expect(took(ordinary)).toBeLessThan(Math.min(TIMEOUT_MS, 5 * alone + 500));
    for (const id of hostile) expect((await final(shared, id, MALLORY)).error.code).toBe("pdf_too_complex");
  }, 60_000);
});

test("head of line: small PDFs uploaded while a 3,000-page one is read finish without waiting for it", async () => {
  const r = await headOfLine(single.url, longPdf(3000, `Long ${Date.now()}`));
  console.log(`head of line: idle ${r.idleMs} ms; under the long PDF ${r.underLoadOneMs} ms alone, ${r.underLoadMs.join(", ")} ms five at once; long one ${r.longStatusThen}`);
  // Still reading the long one: the small ones did not wait for it.
  expect(r.longStatusThen).not.toBe("completed");
  expect(r.underLoadOneMs).toBeLessThan(5 * r.idleMs + 500);
  for (const ms of r.underLoadMs) expect(ms).toBeLessThan(5 * r.idleMs + 500);
  expect((await waitFinal(single.url, r.longJobId)).status).toBe("completed");
}, 120_000);
