import { z } from "zod";

export const OutlineEntrySchema = z.object({
  title: z.string().min(1).max(300),
  level: z.number().int().min(1).max(3),
  page: z.number().int().min(1).nullable(),
});

/** What a generator writes about a document: the part a model is asked for. */
export const NotesContentSchema = z.object({
  title: z.string().min(1).max(300),
  summary: z.string().min(1).max(5000),
  keyPoints: z.array(z.string().min(1).max(1000)).min(1).max(20),
  outline: z.array(OutlineEntrySchema).max(200),
});

/**
 * What the notes were made from: the pages read (the upload's range, or all of them), and
 * how many of those came from the text layer and how many from OCR, with OCR's mean
 * confidence: what GET /jobs/:id says, kept with the notes (and so with their cache entry).
 */
export const NotesSourceSchema = z.object({
  /** The pages read as a range, `1-5,9`; null when the whole PDF was. */
  range: z.string().nullable(),
  pages: z.number().int().min(0),
  totalPages: z.number().int().min(0),
  ocr: z.object({
    pages: z.number().int().min(0),
    textLayerPages: z.number().int().min(0),
    meanConfidence: z.number().int().min(0).max(100).nullable(),
  }),
});

/** The notes every generator returns, validated by this one schema. */
export const NotesSchema = NotesContentSchema.extend({
  markdown: z.string().min(1),
  generator: z.enum(["extractive", "ai"]),
  model: z.string().nullable(),
  usage: z.object({ inputTokens: z.number().int(), outputTokens: z.number().int() }).nullable(),
  /** The id of the generator's fingerprint: two runs with different settings can be told apart. */
  fingerprint: z.string().nullable().default(null),
  /** Set by the pipeline from the text the notes were made of (notes/source.ts); null in notes cached before it was. */
  source: NotesSourceSchema.nullable().default(null),
});

export type NotesContent = z.infer<typeof NotesContentSchema>;
export type Notes = z.infer<typeof NotesSchema>;
export type OutlineEntry = z.infer<typeof OutlineEntrySchema>;
export type NotesSource = z.infer<typeof NotesSourceSchema>;

export function notesMarkdown(n: NotesContent): string {
  const outline = n.outline.map(
    (o) => `${"  ".repeat(o.level - 1)}- ${o.title}${o.page ? ` (p. ${o.page})` : ""}`,
  );
  return [
    `# ${n.title}`,
    "",
    "## Summary",
    "",
    n.summary,
    "",
    "## Key points",
    "",
    ...n.keyPoints.map((k) => `- ${k}`),
    ...(outline.length ? ["", "## Outline", "", ...outline] : []),
    "",
  ].join("\n");
}
