import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import type { Queue } from "bullmq";
import { serveStatic } from "hono/bun";

/** Bull Board at `basePath`, for job-level operations (retry, remove, inspect). */
export function bullBoard(basePath: string, queues: Queue[]) {
  const adapter = new HonoAdapter(serveStatic).setBasePath(basePath);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: adapter, options: { uiConfig: { boardTitle: "Folio queues" } } });
  return adapter.registerPlugin();
}
