import pino from "pino";

/**
 * One JSON object per line: what production log shippers want. Child loggers carry
 * `jobId` so every line about a job can be grepped by it.
 */
export const log = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

export function jobLog(jobId: string, extra: Record<string, unknown> = {}) {
  return log.child({ jobId, ...extra });
}
