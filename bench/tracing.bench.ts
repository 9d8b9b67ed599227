import { tracingOptions } from "../src/options.ts";
import { loadConfig } from "../src/config.ts";
import { startTracing, stopTracing, tracingOn } from "../src/tracing/tracing.ts";
import { corpusPath } from "../test/support/corpus.ts";
import { spawnGuarded } from "../test/support/process-guard.ts";
import type { BenchSuite } from "./lib/comparison.ts";
import { uploadApp, type UploadApp } from "./lib/upload-app.ts";

// Uploads per sample: a sample of one upload is mostly the noise of one GC pause.
const BATCH = 40;
let app: UploadApp | undefined;
let receiver: { url: string; stats: string; proc: ReturnType<typeof spawnGuarded> } | undefined;

/** The OTLP receiver in a process of its own, as a collector is: its work is not the upload path's. */
async function startReceiver() {
  const proc = spawnGuarded(["bun", "test/support/otlp-receiver.ts"], { cwd: `${import.meta.dir}/..`, stdout: "pipe", stderr: "inherit" });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the OTLP receiver did not start");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return { ...(JSON.parse(text.split("\n")[0]!) as { url: string; stats: string }), proc };
}

/**
 * The upload path with tracing on (a span per request, its context in the job, exported to
 * a local OTLP/HTTP receiver) against the same path with tracing off. mitata runs all of one
 * side, then all of the other: each side switches tracing as it starts.
 */
export const tracing: BenchSuite = {
  name: "tracing",
  async setup() {
    receiver = await startReceiver();
    app = await uploadApp("tracing");
    const cfg = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    const pdf = new Uint8Array(await Bun.file(corpusPath("slides-impressive-demo.pdf")).arrayBuffer());
    // Warm: the JIT, PGlite's tables and Redis, so neither side pays for being first.
    for (let i = 0; i < 300; i++) await app.upload(pdf);
    return [
      {
        name: "upload with tracing on vs off",
        project: async () => {
          if (!tracingOn()) startTracing(tracingOptions(cfg), "main");
          for (let i = 0; i < BATCH; i++) await app!.upload(pdf);
        },
        reference: async () => {
          if (tracingOn()) await stopTracing();
          for (let i = 0; i < BATCH; i++) await app!.upload(pdf);
        },
        against: "tracing off",
        target: 0.9,
      },
    ];
  },
  async teardown() {
    await stopTracing();
    await app?.close();
    receiver?.proc.kill();
    await receiver?.proc.exited;
  },
  async extra() {
    const { spans } = (await (await fetch(receiver!.stats)).json()) as { spans: number };
    return { "spans received by the OTLP receiver during the tracing bench": spans };
  },
};
