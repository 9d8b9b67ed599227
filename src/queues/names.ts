export const QUEUE_NAMES = ["url-fetch", "pdf-notes-optimized", "pdf-extract", "ai-notes", "completion"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export const PIPELINES = ["optimized", "staged"] as const;
export type Pipeline = (typeof PIPELINES)[number];

export function isQueueName(name: string): name is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(name);
}

export function isPipeline(name: string): name is Pipeline {
  return (PIPELINES as readonly string[]).includes(name);
}
