/** Uploads in progress are capped per user and per process; JSON bodies are small or refused. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { fixtureBytes } from "../support/fixtures.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

const ALICE = "alice-key-0123456789ab";
const BOB = "bob-key-0123456789abcd";
let svc: ServiceProcess;
beforeAll(async () => {
  svc = await startServiceProcess({
    name: "upload-limits",
    env: { FOLIO_API_KEYS: `${ALICE}:alice,${BOB}:bob`, FOLIO_MAX_UPLOADS_IN_PROGRESS_PER_USER: "2", FOLIO_MAX_UPLOADS_IN_PROGRESS: "3" },
  });
});
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
});

/** A raw PDF upload whose body trickles until `finish()`: an upload in progress. */
function slowUpload(key: string, pdf: Uint8Array) {
  let finish!: () => void;
  const released = new Promise<void>((r) => (finish = r));
  const body = new ReadableStream<Uint8Array>({
    async start(c) {
      c.enqueue(pdf.subarray(0, 100));
      await released;
      c.enqueue(pdf.subarray(100));
      c.close();
    },
  });
  const answer = fetch(`${svc.url}/uploads`, { method: "POST", body, headers: { authorization: `Bearer ${key}`, "content-type": "application/pdf" } });
  return { finish, answer };
}
const plain = (key: string, pdf: Uint8Array<ArrayBuffer>) =>
  fetch(`${svc.url}/uploads`, { method: "POST", body: pdf, headers: { authorization: `Bearer ${key}`, "content-type": "application/pdf" } });

test("uploads in progress: a user past the cap gets 429, the process past its cap 503, both with Retry-After; slots free up", async () => {
  const pdf = await fixtureBytes("slides.pdf");
  const open = [slowUpload(ALICE, pdf), slowUpload(ALICE, pdf)];
  await Bun.sleep(300);
  const third = await plain(ALICE, pdf);
  expect([third.status, ((await third.json()) as any).error.code, third.headers.get("retry-after")]).toEqual([429, "too_many_uploads_in_progress", "1"]);
  open.push(slowUpload(BOB, pdf));
  await Bun.sleep(300);
  const busy = await plain(BOB, pdf);
  expect([busy.status, ((await busy.json()) as any).error.code, busy.headers.get("retry-after")]).toEqual([503, "server_busy", "1"]);
  for (const u of open) u.finish();
  expect((await Promise.all(open.map(async (u) => (await u.answer).status)))).toEqual([202, 202, 202]);
  // The slots are free again.
  expect([200, 202]).toContain((await plain(ALICE, pdf)).status);
});

test("a JSON body is limited to a few KB (413), whatever it claims", async () => {
  const big = JSON.stringify({ url: `http://example.com/${"a".repeat(9000)}.pdf` });
  const declared = await fetch(`${svc.url}/uploads`, { method: "POST", body: big, headers: { authorization: `Bearer ${ALICE}`, "content-type": "application/json" } });
  expect([declared.status, ((await declared.json()) as any).error.code]).toEqual([413, "body_too_large"]);
  const chunked = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode(" ".repeat(1024)));
      c.close();
    },
  });
  const streamed = await fetch(`${svc.url}/uploads`, { method: "POST", body: chunked, headers: { authorization: `Bearer ${ALICE}`, "content-type": "application/json" } });
  expect([streamed.status, ((await streamed.json()) as any).error.code]).toEqual([413, "body_too_large"]);
});
