/**
 * One breaker for the fleet: two worker processes, the model failing every call. The
 * breaker opens after FOLIO_BREAKER_FAILURES failures in all (not per thread or process),
 * and from then on only one probe per half-open period reaches the model.
 */
import { afterAll, expect, test } from "bun:test";
import { uploadFile } from "../support/client.ts";
import { fixture } from "../support/fixtures.ts";
import { startOpenAIStandIn } from "../support/openai-standin.ts";
import { fleetScope } from "../support/fleet.ts";
import { startServiceProcess } from "../support/service-process.ts";

const standIn = startOpenAIStandIn();
const fleet = fleetScope("fleet");
const procs = fleet.procs;
const dataDir = fleet.dataDir;
afterAll(async () => {
  await fleet.stop();
  await standIn.stop();
});

test("two worker processes share one breaker: 5 failures open it, then one probe per half-open period", async () => {
  const prefix = `{folio-test-fleet-${process.pid}}`;
  const env = {
    DATABASE_URL: await fleet.database("fleetbreaker"),
    OPENAI_BASE_URL: standIn.url,
    OPENAI_API_KEY: "stand-in",
    FOLIO_MODEL: "stand-in-model",
    FOLIO_CACHE: "off",
    FOLIO_BREAKER_FAILURES: "5",
    FOLIO_BREAKER_HALF_OPEN_MS: "2000",
    FOLIO_JOB_ATTEMPTS: "50",
  };
  standIn.knobs.errorRate = 1;
  procs.push(...(await Promise.all(["a", "b"].map((w) => startServiceProcess({ name: `fleet-workers-${w}`, workersOnly: true, prefix, env, dataDir })))));
  const server = await startServiceProcess({ name: "fleet-server", args: ["--role", "server"], prefix, env, dataDir });
  procs.push(server);
  for (let i = 0; i < 12; i++) await uploadFile(server.url, fixture(i % 2 ? "slides.pdf" : "form.pdf"), { pipeline: i % 3 ? "optimized" : "staged" });
  await Bun.sleep(9000);
  const calls = standIn.calls.map((c) => c.at).sort((x, y) => x - y);
  expect(calls.length).toBeGreaterThanOrEqual(5);
  const openedAt = calls[4]!;
  // Calls already on their way when the fifth failure landed may still arrive; after that, probes only.
  const after = calls.filter((t) => t > openedAt + 250);
  const windows = Math.floor((Date.now() - openedAt) / 2000) + 1;
  console.log(`fleet breaker: ${calls.length} calls in all, ${after.length} after it opened, ${windows} half-open periods`);
  expect(after.length).toBeLessThanOrEqual(windows);
  for (let i = 1; i < after.length; i++) expect(after[i]! - after[i - 1]!).toBeGreaterThanOrEqual(1900);
  standIn.knobs.errorRate = 0;
}, 120_000);
