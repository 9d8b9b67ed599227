/**
 * GET /jobs/:id/events for clients that wait: keep-alive comments while a job sits in a
 * queue (so idle timeouts never cut the stream), Last-Event-ID on reconnect, a cap on open
 * streams per user.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { uploadFile, waitFinal } from "../support/client.ts";
import { fixture } from "../support/fixtures.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

let svc: ServiceProcess;
let connection: Redis;
let queue: Queue;
beforeAll(async () => {
  svc = await startServiceProcess({ name: "job-events", env: { FOLIO_SSE_KEEPALIVE_MS: "300", FOLIO_MAX_STREAMS_PER_USER: "3" } });
  connection = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  queue = new Queue("pdf-notes-optimized", { connection, prefix: svc.prefix });
});
afterAll(async () => {
  await queue?.close();
  await connection?.quit();
  await svc?.stop();
  svc?.cleanup();
});

/** Reads a stream for `ms`, returning its raw text. */
async function readFor(res: Response, ms: number): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const next = await Promise.race([reader.read(), Bun.sleep(Math.max(1, end - Date.now())).then(() => null)]);
    if (!next || next.done) break;
    text += decoder.decode(next.value, { stream: true });
  }
  await reader.cancel().catch(() => {});
  return text;
}
const events = (text: string) =>
  text
    .split("\n\n")
    .filter((block) => /^event: status$/m.test(block))
    .map((block) => ({ id: block.match(/^id: (\d+)$/m)![1]!, job: JSON.parse(block.match(/^data: (.*)$/m)![1]!) }));

test("a queued job's stream gets keep-alive comments; a reconnect with Last-Event-ID gets only newer states; at most N streams per user", async () => {
  await queue.pause();
  try {
    const up = await uploadFile(svc.url, fixture("slides.pdf"));
    const url = `${svc.url}/jobs/${up.body.jobId}/events`;
    const first = await readFor(await fetch(url), 1200);
    expect(first.match(/^: keep-alive$/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
    const seen = events(first);
    expect(seen.map((e) => e.job.status)).toEqual(["queued"]);
    // Reconnecting with the last id: the unchanged state is not sent again.
    const again = await readFor(await fetch(url, { headers: { "last-event-id": seen[0]!.id } }), 700);
    expect(events(again)).toEqual([]);
    expect(again).toContain(": keep-alive");

    const open = await Promise.all([1, 2, 3].map(() => fetch(url)));
    const fourth = await fetch(url);
    expect([fourth.status, ((await fourth.json()) as any).error.code]).toEqual([429, "too_many_streams"]);
    // The dashboard's report stream is an event stream too: it counts against the same cap.
    const dashboard = await fetch(`${svc.url}/dashboard/stream`);
    expect([dashboard.status, ((await dashboard.json()) as any).error.code]).toEqual([429, "too_many_streams"]);
    await open[0]!.body?.cancel();
    await Bun.sleep(200);
    const report = await fetch(`${svc.url}/dashboard/stream`);
    expect(report.status).toBe(200);
    await report.body?.cancel();
    for (const res of open.slice(1)) await res.body?.cancel();
    await Bun.sleep(200);

    const resumed = fetch(url, { headers: { "last-event-id": seen[0]!.id } });
    await queue.resume();
    const rest = events(await (await resumed).text());
    expect(rest.at(-1)!.job.status).toBe("completed");
    expect(rest.every((e) => Number(e.id) > Number(seen[0]!.id))).toBe(true);
  } finally {
    await queue.resume();
  }
  await waitFinal(svc.url, (await uploadFile(svc.url, fixture("form.pdf"))).body.jobId);
}, 60_000);
