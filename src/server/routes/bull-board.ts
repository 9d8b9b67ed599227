import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import type { Queue } from "bullmq";
import { serveStatic } from "hono/bun";

/**
 * Bull Board at `basePath`, for job-level operations (retry, remove, inspect). Read-only
 * unless FOLIO_BULL_BOARD=full: a job added through it would be trusted by the consumers.
 */
export function bullBoard(basePath: string, queues: Queue[], readOnly: boolean) {
  const adapter = new HonoAdapter(serveStatic).setBasePath(basePath);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: readOnly })), serverAdapter: adapter, options: { uiConfig: { boardTitle: "Folio queues" } } });
  return adapter.registerPlugin();
}
