/**
 * 20 parallel 50 MB uploads stream to storage, local or Supabase (the stand-in, over HTTP):
 * the service's memory grows by less than 100 MB.
 */
import { afterEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";
import { startStorageStandIn, type StorageStandIn } from "../support/supabase-storage-standin.ts";

let svc: ServiceProcess | undefined;
let standIn: StorageStandIn | undefined;
afterEach(async () => {
  await svc?.stop();
  svc?.cleanup();
  await standIn?.stop();
  svc = standIn = undefined;
});

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

async function twentyUploads(name: string, env: Record<string, string>) {
  // The server role alone: what is measured is the upload path, not workers reading the files afterwards.
  svc = await startServiceProcess({
    name,
    args: ["--role", "server"],
    env: { FOLIO_MAX_UPLOADS_IN_PROGRESS_PER_USER: "25", FOLIO_MAX_UPLOADS_IN_PROGRESS: "30", FOLIO_RATE_LIMIT_PER_MIN: "1000", ...env },
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
  console.log(`upload memory (${name}): RSS ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB at peak (+${(peak - before).toFixed(0)} MB) for 20 × 50 MB`);
  expect(answers).toEqual(Array(20).fill(202));
  expect(peak - before).toBeLessThan(100);
}

test("20 parallel 50 MB multipart uploads to local storage, all accepted, raise RSS by less than 100 MB", async () => {
  await twentyUploads("upload-memory", {});
}, 180_000);

test("20 parallel 50 MB multipart uploads to Supabase Storage, all accepted, raise RSS by less than 100 MB", async () => {
  standIn = startStorageStandIn("standin-service-key");
  await twentyUploads("upload-memory-supabase", { SUPABASE_URL: standIn.url, SUPABASE_SERVICE_KEY: "standin-service-key" });
  expect(standIn.requests.filter((r) => r.method === "POST" && r.path.includes("/f_")).length).toBe(20);
  // Each upload streams to a temporary object, then moves to its content key (20 contents, 20 keys).
  const stored = standIn.requests.flatMap((r) => (r.movedTo ? [r.movedTo] : []));
  expect(stored.length).toBe(20);
  // Every byte arrived: 20 bodies and their tails ("%0" … "%19").
  const sizes = await Promise.all(stored.map(async (key) => (await standIn!.object("uploads", key))?.length ?? 0));
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(20 * Math.floor(49.9 * 1024 * 1024) + 50);
}, 180_000);
