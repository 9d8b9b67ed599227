/** What a user meets around the pipeline: live events, limits, start-up checks, Redis of its own. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { isListening } from "../../src/dependencies/local-redis.ts";
import { fixture } from "../support/fixtures.ts";
import { longPdf } from "../support/pdf-factory.ts";
import { uploadFile, uploadRaw, waitFinal } from "../support/client.ts";
import { freshDatabase } from "../support/postgres.ts";
import { freePort, startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

const ROOT = resolve(import.meta.dir, "../..");
let db: { url: string; drop: () => Promise<void> };
let svc: ServiceProcess;

beforeAll(async () => {
  db = await freshDatabase("service");
  svc = await startServiceProcess({ name: "service", env: { DATABASE_URL: db.url, MAX_UPLOAD_MB: "1" } });
});
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  await db?.drop();
});

function parseSse(text: string) {
  return text
    .split("\n\n")
    .filter((block) => block.includes("data:"))
    .map((block) => {
      const event = block.match(/^event: (.*)$/m)?.[1];
      const data = JSON.parse(block.match(/^data: (.*)$/m)![1]!);
      return { event, data };
    });
}

describe("live job events (SSE)", () => {
  test("stream the job's states in order until it completes, then close", async () => {
    const up = await uploadFile(svc.url, fixture("cjk-ja-zh.pdf"));
    const res = await fetch(`${svc.url}/jobs/${up.body.jobId}/events`);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = parseSse(await res.text());
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.every((e) => e.event === "status" && e.data.id === up.body.jobId)).toBe(true);
    const order = ["queued", "downloading", "extracting", "generating", "saving", "completed"];
    const ranks = events.map((e) => order.indexOf(e.data.status));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(events.at(-1)!.data.status).toBe("completed");
    expect(events.at(-1)!.data.notesId).toMatch(/^n_/);
  });

  test("a finished job's stream gives its final state at once", async () => {
    const up = await uploadFile(svc.url, fixture("encrypted-userpw.pdf"));
    await waitFinal(svc.url, up.body.jobId);
    const events = parseSse(await (await fetch(`${svc.url}/jobs/${up.body.jobId}/events`)).text());
    expect(events).toHaveLength(1);
    expect(events[0]!.data.error.code).toBe("pdf_encrypted");
  });
});

describe("upload size limit (MAX_UPLOAD_MB=1)", () => {
  // 600 generated pages, ~1.8 MB.
  const big = async () => longPdf(600);

  test("a declared body over the limit gets 413 JSON", async () => {
    const r = await uploadRaw(svc.url, await big());
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe("file_too_large");
  });

  test("a chunked body over the limit is cut while streaming", async () => {
    const bytes = await big();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) c.enqueue(bytes.subarray(i, i + 64 * 1024));
        c.close();
      },
    });
    const res = await fetch(`${svc.url}/uploads`, { method: "POST", body, headers: { "content-type": "application/pdf" } });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("file_too_large");
  });

  test("a multipart upload over the limit gets 413, and a small one right after is accepted", async () => {
    const form = new FormData();
    form.append("file", new Blob([longPdf(600)]), "big.pdf");
    const res = await fetch(`${svc.url}/uploads`, { method: "POST", body: form });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("file_too_large");
    const small = await uploadFile(svc.url, fixture("paper-bookmarks.pdf"));
    expect(small.status).toBe(202);
    expect((await waitFinal(svc.url, small.body.jobId)).status).toBe("completed");
  });
});

describe("start-up", () => {
  test("/ready says the service can work: Redis and the database answer, migrations applied", async () => {
    const res = await fetch(`${svc.url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready" });
    expect(await (await fetch(`${svc.url}/health`)).json()).toEqual({ status: "ok" });
  });

  const run = (args: string[], env: Record<string, string>) =>
    Bun.spawnSync(["bun", "src/cli/start.ts", ...args], { cwd: ROOT, env: { ...process.env, ...env }, stderr: "pipe" });

  test("a bad setting stops start-up with one line naming the variable", () => {
    const r = run([], { FOLIO_PROFILE: "turbo" });
    expect(r.exitCode).toBe(1);
    const err = r.stderr.toString().trim();
    expect(err.split("\n")).toHaveLength(1);
    expect(err).toContain("FOLIO_PROFILE");
  });

  test("`workers` refuses the embedded PGlite with a clear message", () => {
    const r = run(["--role", "workers"], { DATABASE_URL: "" });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.toString()).toContain("needs a shared Postgres");
  });

  test("with no Redis at REDIS_URL it runs its own, and stops it on exit", async () => {
    const port = await freePort();
    const own = await startServiceProcess({
      name: "own-redis",
      env: { DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${port}` },
    });
    try {
      expect(await isListening("127.0.0.1", port)).toBe(true);
      const up = await uploadFile(own.url, fixture("paper-bookmarks.pdf"));
      expect((await waitFinal(own.url, up.body.jobId)).status).toBe("completed");
      // appendonly on: queued jobs survive a restart of this Redis.
      expect(existsSync(`${own.dataDir}/redis/appendonlydir`)).toBe(true);
      // It has a password Folio made (nothing else on the machine can read the queues), and
      // the folders holding PDFs, the database and Redis's files are the owner's only.
      const anonymous = Bun.spawnSync(["redis-cli", "-p", String(port), "ping"]);
      expect(anonymous.stdout.toString()).toContain("NOAUTH");
      for (const dir of ["", "/redis", "/uploads"]) expect(`${dir} ${(statSync(`${own.dataDir}${dir}`).mode & 0o777).toString(8)}`).toBe(`${dir} 700`);
    } finally {
      expect(await own.stop()).toBe(0);
      own.cleanup();
    }
    expect(await isListening("127.0.0.1", port)).toBe(false);
  });
});
