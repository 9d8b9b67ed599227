import pino from "pino";
import { activeTraceId } from "./tracing/tracing.ts";

/**
 * One JSON object per line: what production log shippers want. Child loggers carry
 * `jobId` so every line about a job can be grepped by it; with tracing on, a line written
 * inside a job's (or request's) span carries its `traceId` too.
 */
// The level is the runtime's (LOG_LEVEL, validated with the rest of the config: src/runtime.ts).
export const log = pino({
  level: "info",
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  mixin: () => {
    const traceId = activeTraceId();
    return traceId ? { traceId } : {};
  },
});

export function jobLog(jobId: string, extra: Record<string, unknown> = {}) {
  return log.child({ jobId, ...extra });
}
