import { isConnectionError as isDatabaseUnreachable } from "../../db/errors.ts";
import { log } from "../log.ts";

/** What a Redis client says when it cannot reach its server, beyond what a database driver says. */
const REDIS_UNREACHABLE = /ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|Connection is closed/i;

/** A dependency that cannot be reached (as opposed to one that answered with an error). */
export function isUnreachable(err: unknown): boolean {
  return isDatabaseUnreachable(err) || REDIS_UNREACHABLE.test(`${(err as { code?: string })?.code ?? ""} ${(err as Error)?.message ?? String(err)}`);
}

/** A driver's own words: Drizzle wraps them as the cause of a "Failed query" error. */
const messageOf = (err: unknown) => {
  const e = err as Error | undefined;
  return (e?.cause instanceof Error ? e.cause.message : e?.message) ?? String(err);
};

/**
 * Clients retry an unreachable dependency on their own, each with an error per attempt.
 * This turns them into one line when the first of a process's connections to it fails and
 * one when the last is back, with how long it was away.
 */
export class OutageLog {
  private readonly failing = new Set<string>();
  private since = 0;

  constructor(private readonly dependency: string) {}

  failed(source: string, err: unknown): void {
    if (this.failing.has(source)) return;
    this.failing.add(source);
    if (this.failing.size > 1) return;
    this.since = performance.now();
    log.warn({ dependency: this.dependency, err: messageOf(err) }, `${this.dependency} unreachable (${messageOf(err)}); retrying, and saying when it is back`);
  }

  recovered(source: string): void {
    if (!this.failing.delete(source) || this.failing.size > 0) return;
    const downMs = Math.round(performance.now() - this.since);
    log.info({ dependency: this.dependency, downMs }, `${this.dependency} reachable again after ${(downMs / 1000).toFixed(1)} s`);
  }
}

/**
 * For BullMQ queues, workers and event listeners: their connection errors are the outage
 * the process's own connections already report, so they are dropped; anything else is
 * handed on. (An emitter with no "error" listener prints a stack trace per retry.)
 */
export function onNonConnectionError(emitter: { on(event: "error", listener: (err: Error) => void): unknown }, report: (err: Error) => void): void {
  emitter.on("error", (err) => {
    if (!isUnreachable(err)) report(err);
  });
}
