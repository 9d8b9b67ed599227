import { PIPELINES, QUEUE_NAMES, type Pipeline, type QueueName } from "../jobs/pipelines.ts";

/** The queues and pipelines, as declared in src/jobs/pipelines.ts. */
export { PIPELINES, QUEUE_NAMES, type Pipeline, type QueueName };

export function isQueueName(name: string): name is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(name);
}

export function isPipeline(name: string): name is Pipeline {
  return (PIPELINES as readonly string[]).includes(name);
}
