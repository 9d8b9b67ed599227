#!/usr/bin/env bun
/** `bun run start | server | workers [--queues a,b]`: runs Folio until SIGTERM/SIGINT, then drains. */
import { parseArgs } from "node:util";
import { config } from "../config.ts";
import { ConfigError } from "../errors/config-error.ts";
import { log } from "../log.ts";
import { redactSecrets } from "../redact.ts";
import { QUEUE_NAMES, isQueueName } from "../jobs/pipelines.ts";
import { startService, type Role } from "../service/index.ts";

/** One line on stderr and out: 1 for what stops the service, 2 for arguments it does not know. */
function fail(message: string, code: 1 | 2 = 1): never {
  console.error(`folio: ${redactSecrets(message)}`);
  process.exit(code);
}

const USAGE = "options: --role all|server|workers, --queues a,b";

function parseOptions() {
  try {
    return parseArgs({ options: { role: { type: "string", default: "all" }, queues: { type: "string" } } }).values;
  } catch (err) {
    // node's message already names the option ("Unknown option '--rol'"); no trace.
    fail(`${(err as Error).message.split("\n")[0]}; ${USAGE}`, 2);
  }
}

const values = parseOptions();
const role = values.role as Role;
if (!["all", "server", "workers"].includes(role)) fail(`unknown role ${role}; ${USAGE}`, 2);
const queues = values.queues?.split(",").map((q) => q.trim());
const unknown = queues?.filter((q) => !isQueueName(q));
if (unknown?.length) fail(`unknown queue(s) ${unknown.join(", ")}; known: ${QUEUE_NAMES.join(", ")}`, 2);

try {
  const cfg = config();
  log.setBindings({ role });
  const service = await startService(cfg, { role, queues: queues?.filter(isQueueName) });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "draining: no new work, finishing active jobs");
    try {
      await service.stop();
      log.info("stopped cleanly");
      process.exit(0);
    } catch (err) {
      log.error({ err: (err as Error).message }, "shutdown failed");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  fail((err as Error).message);
}
