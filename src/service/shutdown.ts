import { log } from "../log.ts";

/**
 * A shutdown step on Redis, given at most SHUTDOWN_STEP_MS: a connection stuck on a node
 * that died (a cluster failover under way) must not keep the process from exiting. Once
 * seen in CI: a drained service never exited after its cluster master was killed.
 */
const SHUTDOWN_STEP_MS = 5000;

export async function bounded(step: string, work: Promise<unknown> | undefined): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), SHUTDOWN_STEP_MS)));
  const outcome = await Promise.race([Promise.resolve(work).then(() => "done" as const, () => "done" as const), late]);
  clearTimeout(timer);
  if (outcome === "late") log.warn({ step }, `shutdown: ${step} did not close within ${SHUTDOWN_STEP_MS} ms; going on`);
}
