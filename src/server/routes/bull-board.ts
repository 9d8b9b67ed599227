import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import type { Queue } from "bullmq";
import { Hono } from "hono";
import { serveStatic } from "hono/bun";
import { errorBody } from "../http-error.ts";

/** Bull Board's refusals, by its translation key, as Folio's error codes and messages. */
const REFUSALS: Record<string, [code: string, message: string]> = {
  "ERRORS.QUEUE_READ_ONLY": ["queue_read_only", "Bull Board is read-only here (FOLIO_BULL_BOARD=readonly); FOLIO_BULL_BOARD=full allows changing jobs"],
  "ERRORS.QUEUE_NOT_FOUND": ["queue_not_found", "no such queue"],
  "ERRORS.JOB_NOT_FOUND": ["job_not_found", "no such job in that queue"],
};

/**
 * Bull Board at `basePath`, for job-level operations (retry, remove, inspect). Read-only
 * unless FOLIO_BULL_BOARD=full: a job added through it would be trusted by the consumers.
 */
export function bullBoard(basePath: string, queues: Queue[], readOnly: boolean) {
  const adapter = new HonoAdapter(serveStatic).setBasePath(basePath);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: readOnly })), serverAdapter: adapter, options: { uiConfig: { boardTitle: "Folio queues" } } });
  return new Hono().use("/api/*", inFolioShape).route("/", adapter.registerPlugin());
}

/**
 * Its API answers `{error: {key}}`; every Folio error is `{error: {code, message}}`. The
 * key stays beside them: the board's own page translates it.
 */
async function inFolioShape(c: import("hono").Context, next: () => Promise<void>) {
  await next();
  if (c.res.status < 400) return;
  const body = (await c.res.clone().json().catch(() => undefined)) as { error?: { key?: string; code?: string } } | undefined;
  const key = body?.error?.key;
  if (!key || body.error?.code) return;
  const [code, message] = REFUSALS[key] ?? ["queue_board_refused", `Bull Board refused the request (${key})`];
  c.res = new Response(JSON.stringify({ error: { ...errorBody(code, message).error, key } }), { status: c.res.status, headers: { "content-type": "application/json" } });
}
