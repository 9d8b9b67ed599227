import type { QueueName } from "../src/jobs/pipelines.ts";
import { aiNotes } from "./ai-notes.ts";
import { completion } from "./completion.ts";
import type { Consumer } from "./consumer.ts";
import { pdfExtract } from "./pdf-extract.ts";
import { pdfNotesOptimized } from "./pdf-notes-optimized.ts";
import { urlFetch } from "./url-fetch.ts";

export const CONSUMERS: Record<QueueName, Consumer<never>> = {
  "url-fetch": urlFetch,
  "pdf-notes-optimized": pdfNotesOptimized,
  "pdf-extract": pdfExtract,
  "ai-notes": aiNotes,
  completion,
};
