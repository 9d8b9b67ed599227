/**
 * Run only by test/support/process-guard.test.ts, in a runner of its own: a test file that
 * starts a service and then fails (or hangs, to be interrupted or killed), with no cleanup.
 */
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { startServiceProcess } from "../service-process.ts";

test("starts a service and fails without stopping it", async () => {
  const svc = await startServiceProcess({ name: "hygiene", env: { DATABASE_URL: process.env.HYGIENE_DATABASE_URL! } });
  writeFileSync(process.env.HYGIENE_PID_FILE!, String(svc.proc.pid));
  if (process.env.HYGIENE_MODE === "hang") await Bun.sleep(600_000);
  expect("the service").toBe("stopped by this test");
}, 700_000);
