/**
 * Cache figures that are not single-thread microbenchmarks:
 *  - the shared L1 hammered by 1 and by 2 threads at once (gets and sets on one table);
 *  - the upload of a cached ~1 MiB PDF over loopback, p50/p95 (target p95 < 20 ms).
 * `bun bench/cache-extra.ts`
 */
import { SharedL1 } from "../src/cache/shared-l1.ts";
import { corpusPath } from "../test/support/corpus.ts";
import { waitFinal } from "../test/support/client.ts";
import { startServiceProcess } from "../test/support/service-process.ts";

async function hammer(threads: number, opsPerThread: number): Promise<number> {
  const l1 = new SharedL1({ entries: 100, slotBytes: 4096 });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: threads }, (_, id) => {
      const w = new Worker(new URL("./l1-hammer.worker.ts", import.meta.url));
      return new Promise<void>((resolve) => {
        w.onmessage = () => {
          w.terminate();
          resolve();
        };
        w.postMessage({ buffer: l1.buffer, opts: l1.opts, id, ops: opsPerThread });
      });
    }),
  );
  return (threads * opsPerThread) / ((performance.now() - started) / 1000);
}

const one = await hammer(1, 1_000_000);
const two = await hammer(2, 1_000_000);
console.log(`| shared L1, 1 thread | ${Math.round(one).toLocaleString("en")} ops/s |`);
console.log(`| shared L1, 2 threads on one table | ${Math.round(two).toLocaleString("en")} ops/s (${(two / one).toFixed(2)}× one thread) |`);

const svc = await startServiceProcess({ name: "bench-cached-upload", env: { LOG_LEVEL: "warn", FOLIO_RATE_LIMIT_PER_MIN: "100000" } });
try {
  const file = corpusPath("manual-pdftex.pdf");
  const bytes = new Uint8Array(await Bun.file(file).arrayBuffer());
  const send = () => fetch(`${svc.url}/uploads?filename=m.pdf`, { method: "POST", body: bytes, headers: { "content-type": "application/pdf" } });
  const first = (await (await send()).json()) as { jobId: string };
  await waitFinal(svc.url, first.jobId);
  const times: number[] = [];
  for (let i = 0; i < 220; i++) {
    const t = performance.now();
    const res = await send();
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`expected a cache hit, got ${res.status}`);
    if (i >= 20) times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const p = (q: number) => times[Math.floor(q * (times.length - 1))]!.toFixed(1);
  console.log(`| upload of a cached ${(bytes.length / 1048576).toFixed(2)} MiB PDF over loopback (200 requests) | p50 ${p(0.5)} ms, p95 ${p(0.95)} ms |`);
} finally {
  await svc.stop();
  svc.cleanup();
}
process.exit(0);
