/**
 * Limits changed live (PUT /admin/limits, `folio limits set`): a server and two worker
 * processes; every worker applies a change within 2 s, a restarted one starts from the
 * stored values, and GET /admin/limits (and `folio limits`) shows what each runs with.
 */
import { afterAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import type { Limits } from "../../src/queues/limits-schema.ts";
import { startOpenAIStandIn } from "../support/openai-standin.ts";
import { fleetScope } from "../support/fleet.ts";
import { startServiceProcess } from "../support/service-process.ts";

const ROOT = resolve(import.meta.dir, "../..");
const standIn = startOpenAIStandIn();
const fleet = fleetScope("limits");
const procs = fleet.procs;
const dataDir = fleet.dataDir;
afterAll(async () => {
  await fleet.stop();
  await standIn.stop();
});

async function folio(url: string, args: string[]) {
  const proc = Bun.spawn(["bun", "src/cli/folio/main.ts", ...args, "--url", url], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

const QUEUE = "pdf-notes-optimized";

test("a change reaches both worker processes within 2 s and a restarted worker starts from it", async () => {
  const prefix = `{folio-test-limits-${process.pid}}`;
  const env = { DATABASE_URL: await fleet.database("limits"), OPENAI_BASE_URL: standIn.url, FOLIO_AI_LIMIT: "adaptive", LOG_LEVEL: "warn" };
  const server = await startServiceProcess({ name: "limits-server", args: ["--role", "server"], prefix, env, dataDir });
  procs.push(server);
  for (const w of [0, 1]) procs.push(await startServiceProcess({ name: `limits-workers-${w}`, workersOnly: true, prefix, env, dataDir }));
  const get = async () => (await (await fetch(`${server.url}/admin/limits`)).json()) as Limits;
  const running = async (concurrency: number) => (await get()).queues.find((q) => q.queue === QUEUE)!.processes.filter((p) => p.concurrency === concurrency);
  while ((await running(20)).length < 2) await Bun.sleep(100);

  const changedAt = Date.now();
  const put = await fetch(`${server.url}/admin/limits`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ queues: { [QUEUE]: { concurrency: 7, globalConcurrency: 30, globalRateLimit: { max: 40, durationMs: 1000 } } }, model: { min: 3, max: 9 } }),
  });
  expect(put.status).toBe(200);
  while ((await running(7)).length < 2) await Bun.sleep(50);
  expect(Date.now() - changedAt).toBeLessThan(2000);

  // A worker restarts: it comes back with the stored concurrency, and the rest is still there.
  const worker = procs.pop()!;
  await worker.stop();
  const restarted = await worker.restart();
  procs.push(restarted);
  const byPid = async () => (await running(7)).some((p) => p.process.endsWith(`:${restarted.proc.pid}`));
  while (!(await byPid())) await Bun.sleep(100);
  const after = await get();
  expect(after.queues.find((q) => q.queue === QUEUE)).toMatchObject({ concurrency: 7, globalConcurrency: 30, globalRateLimit: { max: 40, durationMs: 1000 } });
  // No call was made yet: the limit is where a fresh fleet starts, the (new) minimum.
  expect(after.model).toMatchObject({ mode: "adaptive", min: 3, max: 9, limit: 3 });

  // The CLI: set, then read back as a table.
  const set = await folio(server.url, ["limits", "set", "--queue", QUEUE, "--concurrency", "default", "--global-concurrency", "none", "--rate-limit", "none", "--model", "default"]);
  expect(set.code).toBe(0);
  while ((await running(20)).length < 2) await Bun.sleep(50);
  const shown = await folio(server.url, ["limits"]);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toContain(QUEUE);
  expect(shown.stdout).toContain("model calls: limit 2 (bounds 2–64)");
  expect((await folio(server.url, ["limits", "set", "--concurrency", "3"])).code).toBe(2);
}, 300_000);
