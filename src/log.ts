import pino from "pino";
import { activeTraceId } from "./tracing/tracing.ts";

/**
 * One JSON object per line: what production log shippers want. Child loggers carry
 * `jobId` so every line about a job can be grepped by it; with tracing on, a line written
 * inside a job's (or request's) span carries its `traceId` too.
 */
export const log = pino({
  level: process.env.LOG_LEVEL ?? "info",
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
