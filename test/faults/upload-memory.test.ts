/** 20 parallel 50 MB uploads stream to storage: the service's memory grows by less than 100 MB. */
import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

let svc: ServiceProcess | undefined;
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
});

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

test("20 parallel 50 MB multipart uploads, all accepted, raise RSS by less than 100 MB", async () => {
  // The server role alone: what is measured is the upload path, not workers reading the files afterwards.
  svc = await startServiceProcess({
    name: "upload-memory",
    args: ["--role", "server"],
    env: { FOLIO_MAX_UPLOADS_IN_PROGRESS_PER_USER: "25", FOLIO_MAX_UPLOADS_IN_PROGRESS: "30", FOLIO_RATE_LIMIT_PER_MIN: "1000" },
  });
  const pid = svc.proc.pid;
  // One 49.9 MB body shared by every upload (a tail makes each file distinct); a PDF by its magic only.
  const body = new Uint8Array(Math.floor(49.9 * 1024 * 1024)).fill(0x20);
  body.set(new TextEncoder().encode("%PDF-1.4\n"));
  await Bun.sleep(2000);
  const before = rssMb(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 25);
  const answers = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const form = new FormData();
      form.append("file", new Blob([body, `%${i}`]), `big-${i}.pdf`);
      return (await fetch(`${svc!.url}/uploads`, { method: "POST", body: form })).status;
    }),
  );
  clearInterval(sampler);
  console.log(`upload memory: RSS ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB at peak (+${(peak - before).toFixed(0)} MB) for 20 × 50 MB`);
  expect(answers).toEqual(Array(20).fill(202));
  expect(peak - before).toBeLessThan(100);
}, 180_000);
