/**
 * A file-store (Supabase Storage) outage while the service runs: uploads answer 503
 * storage_unavailable, a queued job waits without spending attempts and finishes once the
 * store is back, and the log tells the outage in two lines however many calls met it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Queue } from "bullmq";
import { getJson, uploadFile, waitFinal } from "../support/client.ts";
import { fixture } from "../support/fixtures.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";
import { startStorageStandIn, type StorageStandIn } from "../support/supabase-storage-standin.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";

let store: StorageStandIn;
let proxy: TcpProxy;
let svc: ServiceProcess;
let queue: Queue;
beforeAll(async () => {
  store = startStorageStandIn("standin-service-key");
  proxy = startTcpProxy("127.0.0.1", Number(new URL(store.url).port));
  svc = await startServiceProcess({
    name: "storage-outage",
    env: { FOLIO_CACHE: "off", SUPABASE_URL: `http://127.0.0.1:${proxy.port}`, SUPABASE_SERVICE_KEY: "standin-service-key" },
  });
  // BullMQ opens (and on close quits) a connection of its own from these options.
  queue = new Queue("pdf-notes-optimized", { connection: { host: "127.0.0.1", port: 6379 }, prefix: svc.prefix });
});
afterAll(async () => {
  await queue?.close();
  await svc?.stop();
  svc?.cleanup();
  proxy?.stop();
  await store?.stop();
});

const logLines = async () => (await Bun.file(svc.logFile).text()).split("\n").filter(Boolean);
async function waitForLog(pattern: RegExp): Promise<void> {
  for (let i = 0; i < 300 && !(await logLines()).some((l) => pattern.test(l)); i++) await Bun.sleep(100);
}

test("uploads answer 503 while the store is down, a queued job waits it out, and the log has two lines", async () => {
  await queue.pause();
  const queued = await uploadFile(svc.url, fixture("slides.pdf"));
  expect(queued.status).toBe(202);
  proxy.cut();

  const refused = await fetch(`${svc.url}/uploads`, { method: "POST", body: formWith("slides.pdf") });
  expect(refused.status).toBe(503);
  expect(refused.headers.get("retry-after")).toBe("5");
  expect(((await refused.json()) as any).error.code).toBe("storage_unavailable");

  await queue.resume();
  await waitForLog(new RegExp(`Job ${queued.body.jobId} waits`));
  const waiting = await getJson(`${svc.url}/jobs/${queued.body.jobId}`);
  expect(waiting.body.status).not.toBe("failed");
  // A second caller meeting the same outage (another upload) adds no line.
  expect((await fetch(`${svc.url}/uploads`, { method: "POST", body: formWith("slides.pdf") })).status).toBe(503);

  proxy.restore();
  const done = await waitFinal(svc.url, queued.body.jobId);
  expect(done.status).toBe("completed");
  expect(done.attempts).toBe(1);
  const after = await uploadFile(svc.url, fixture("slides.pdf"));
  expect(after.status).toBe(202);
  await waitFinal(svc.url, after.body.jobId);

  const lines = await logLines();
  expect(lines.filter((l) => l.includes("storage unreachable"))).toHaveLength(1);
  expect(lines.filter((l) => l.includes("storage reachable again after"))).toHaveLength(1);
  expect(lines.filter((l) => /\n\s+at |"stack"/.test(l))).toEqual([]);
});

function formWith(name: string): FormData {
  const form = new FormData();
  form.append("file", Bun.file(fixture(name)), name);
  return form;
}
