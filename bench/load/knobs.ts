/**
 * The knob study: one seed claim at a time, everything else at the optimized values.
 * `bun run bench:knobs` prints "claim | measured effect | command" rows. Whole-pipeline
 * knobs (concurrency, cache, limiter) are measured with `bun run bench:load --profiles
 * optimized --env KEY=VALUE` and written down in bench/RESULTS.md by hand.
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { Redis } from "ioredis";
import { openDatabase } from "../../db/client.ts";
import { JobsRepo } from "../../db/jobs-repo.ts";
import { RedisL2 } from "../../src/cache/redis-l2.ts";
import { corpusPath } from "../../test/support/corpus.ts";
import { waitFinal } from "../../test/support/client.ts";
import { startOpenAIStandIn } from "../../test/support/openai-standin.ts";
import { startServiceProcess } from "../../test/support/service-process.ts";
import { startStorageStandIn } from "../../test/support/supabase-storage-standin.ts";

const rows: string[] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const row = (claim: string, effect: string, command: string) => {
  rows.push(`| ${claim} | ${effect} | \`${command}\` |`);
  console.log(rows.at(-1));
};
const upload = async (url: string, bytes: Uint8Array<ArrayBuffer>, tag: string) => {
  const res = await fetch(`${url}/uploads?filename=${tag}.pdf`, { method: "POST", body: new Blob([bytes, `\n%${tag}\n`]), headers: { "content-type": "application/pdf" } });
  return (await res.json()) as { jobId: string };
};

/** drainDelay bounds BullMQ's blocking wait on an EMPTY queue: does it delay pickup of a job that arrives at an idle queue? */
async function drainDelay() {
  const pdf = new Uint8Array(await Bun.file(corpusPath("slides-impressive-demo.pdf")).arrayBuffer());
  const result: Record<string, number> = {};
  for (const delay of ["60", "10"]) {
    const svc = await startServiceProcess({ name: `knob-drain-${delay}`, env: { FOLIO_PDF_NOTES_OPTIMIZED_DRAIN_DELAY_S: delay, LOG_LEVEL: "warn" } });
    const waits: number[] = [];
    try {
      for (let i = 0; i < 7; i++) {
        await Bun.sleep(1500);
        const job = await waitFinal(svc.url, (await upload(svc.url, pdf, `drain-${delay}-${i}`)).jobId);
        waits.push(job.timings.waitMs);
      }
    } finally {
      await svc.stop();
      svc.cleanup();
    }
    result[delay] = median(waits);
  }
  row(
    "drainDelay 60 → 10 s cuts latency",
    `pickup of a job arriving at an idle queue (median of 7 wait times): ${result["60"]} ms at 60 s, ${result["10"]} ms at 10 s. No effect: the blocking wait returns as soon as a job arrives; drainDelay only bounds how long an empty queue blocks`,
    "bun run bench:knobs",
  );
}

/** The breaker during an outage: how many calls reach a failing endpoint, and how many jobs fail. */
async function breaker() {
  const pdf = new Uint8Array(await Bun.file(corpusPath("slides-impressive-demo.pdf")).arrayBuffer());
  const out: Record<string, { calls: number; failed: number; completed: number }> = {};
  for (const [name, failures] of [["on", "5"], ["off", "1000000"]] as const) {
    const standIn = startOpenAIStandIn({ errorRate: 1 });
    const svc = await startServiceProcess({
      name: `knob-breaker-${name}`,
      env: { OPENAI_BASE_URL: standIn.url, FOLIO_BREAKER_FAILURES: failures, FOLIO_BREAKER_HALF_OPEN_MS: "5000", LOG_LEVEL: "warn" },
    });
    try {
      const ids = [];
      for (let i = 0; i < 30; i++) ids.push((await upload(svc.url, pdf, `breaker-${name}-${i}`)).jobId);
      await Bun.sleep(12_000);
      const calls = standIn.calls.length;
      standIn.knobs.errorRate = 0;
      const finals = await Promise.all(ids.map((id) => waitFinal(svc.url, id, 120_000)));
      out[name] = { calls, failed: finals.filter((f) => f.status === "failed").length, completed: finals.filter((f) => f.status === "completed").length };
    } finally {
      await svc.stop();
      svc.cleanup();
      await standIn.stop();
    }
  }
  row(
    "a circuit breaker protects the pipeline during an AI outage",
    `30 jobs, endpoint failing every call for 12 s: breaker on → ${out.on!.calls} calls sent, ${out.on!.failed} jobs failed, ${out.on!.completed} completed after; breaker off → ${out.off!.calls} calls, ${out.off!.failed} failed, ${out.off!.completed} completed`,
    "bun run bench:knobs",
  );
}

/** Save and cache set in parallel rather than one after the other (PGlite + Redis). */
async function parallelSave() {
  const db = await openDatabase({ pgliteDir: "memory://" });
  const redis = new Redis("redis://127.0.0.1:6379");
  const repo = new JobsRepo(db.db);
  const l2 = new RedisL2(redis, `{folio-knob-${process.pid}}`, 60);
  const notes = { title: "t", summary: "s".repeat(1500), keyPoints: ["k"], outline: [], markdown: "m".repeat(3000), generator: "extractive", model: null, usage: null };
  const bytes = new TextEncoder().encode(JSON.stringify(notes));
  let n = 0;
  const one = (i: number) => ({ id: `n_knob${n}_${i}`, jobId: `j_knob${n}_${i}`, userId: "u", sha256: "x", ...notes });
  const time = async (fn: (i: number) => Promise<unknown>) => {
    n++;
    const start = performance.now();
    for (let i = 0; i < 300; i++) await fn(i);
    return (performance.now() - start) / 300;
  };
  const sha = "a".repeat(64);
  await time((i) => Promise.all([repo.saveNotes(one(i)), l2.set("notes", sha, bytes)]));
  const sequential = await time(async (i) => {
    await repo.saveNotes(one(i));
    await l2.set("notes", sha, bytes);
  });
  const parallel = await time((i) => Promise.all([repo.saveNotes(one(i)), l2.set("notes", sha, bytes)]));
  await redis.quit();
  await db.close();
  row("save, cache set and cleanup in parallel", `per job: sequential ${sequential.toFixed(2)} ms, parallel ${parallel.toFixed(2)} ms (${(sequential / parallel).toFixed(2)}×); a few ms against seconds of extraction and model time`, "bun run bench:knobs");
}

/** One shared supabase-js client per process against a new client per call (Storage stand-in over HTTP). */
async function pooledSupabase() {
  const standIn = startStorageStandIn("key");
  const body = new Uint8Array(64 * 1024);
  const shared = createClient(standIn.url, "key", { auth: { persistSession: false } });
  const time = async (client: () => SupabaseClient) => {
    const start = performance.now();
    for (let i = 0; i < 200; i++) {
      await client().storage.from("b").upload(`k${i}.pdf`, body, { upsert: true });
      await client().storage.from("b").download(`k${i}.pdf`);
    }
    return (performance.now() - start) / 200;
  };
  await time(() => shared);
  const pooled = await time(() => shared);
  const perCall = await time(() => createClient(standIn.url, "key", { auth: { persistSession: false } }));
  await standIn.stop();
  row("one pooled Supabase client instead of one per call", `upload + download of 64 KiB against the stand-in: pooled ${pooled.toFixed(2)} ms, per call ${perCall.toFixed(2)} ms (${(perCall / pooled).toFixed(2)}×)`, "bun run bench:knobs");
}

await drainDelay();
await breaker();
await parallelSave();
await pooledSupabase();
console.log(["", "| claim | measured effect | command |", "|---|---|---|", ...rows].join("\n"));
process.exit(0);
