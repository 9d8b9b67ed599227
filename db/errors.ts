/** The SQLSTATE (or driver code) of a database error, also when Drizzle wraps it. */
function codeOf(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  return String(e?.cause?.code ?? e?.code ?? "");
}

/** SQLSTATE class 22 (data exception) or 23 (integrity): retrying the same row cannot help. */
export function isDataError(err: unknown): boolean {
  return /^2[23][0-9A-Z]{3}$/.test(codeOf(err));
}

/**
 * The database is out of reach (refused, reset, closed, shutting down): worth waiting
 * for, never a reason to fail a job.
 */
export function isConnectionError(err: unknown): boolean {
  const code = codeOf(err);
  if (/^(08|57P)/.test(code)) return true;
  if (/^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED|CONNECT_TIMEOUT)$/.test(code)) return true;
  const message = String((err as Error)?.cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error)?.message);
  return /ECONNREFUSED|ECONNRESET|connection (closed|ended|terminated)|write CONNECTION_CLOSED|Connection terminated/i.test(message);
}

/** Retries fn while the database is unreachable, with backoff up to maxWaitMs in all. */
export async function whileUnreachable<T>(fn: () => Promise<T>, maxWaitMs: number): Promise<T> {
  const deadline = Date.now() + maxWaitMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await fn();
    } catch (err) {
      if (!isConnectionError(err) || Date.now() + delay > deadline) throw err;
      await Bun.sleep(delay);
    }
  }
}
