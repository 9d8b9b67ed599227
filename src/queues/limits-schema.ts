import { z } from "@hono/zod-openapi";
import { QUEUE_NAMES, type QueueName } from "../jobs/pipelines.ts";

const QUEUES = QUEUE_NAMES as [QueueName, ...QueueName[]];

/**
 * The shapes of /admin/limits: the OpenAPI document describes them from these, the route
 * answers in them, and `folio limits` reads them as these types.
 */
const RateLimit = z.object({ max: z.number().int().min(1), durationMs: z.number().int().min(1) }).openapi("RateLimit");

const QueueLimits = z
  .object({
    queue: z.enum(QUEUES),
    configured: z.object({ concurrency: z.number().int(), limiterMax: z.number().int() }).openapi({ description: "From the profile and FOLIO_<QUEUE>_* at start-up" }),
    concurrency: z.number().int().nullable().openapi({ description: "Per process, as an operator set it here (null: the configured one)" }),
    globalConcurrency: z.number().int().nullable().openapi({ description: "Jobs of this queue running at once in the whole fleet (BullMQ's), null: none" }),
    globalRateLimit: RateLimit.nullable(),
    processes: z.array(z.object({ process: z.string(), concurrency: z.number().int() })).openapi({ description: "What each worker process runs with now" }),
  })
  .openapi("QueueLimits");

const ModelLimit = z
  .object({
    mode: z.enum(["adaptive", "off"]),
    limit: z.number().int().nullable().openapi({ description: "Model calls the fleet may have in flight now" }),
    inFlight: z.number().int().nullable(),
    min: z.number().int().nullable(),
    max: z.number().int().nullable(),
    latencyMs: z.number().nullable().openapi({ description: "Moving average of answered calls" }),
    bestLatencyMs: z.number().nullable(),
    pausedUntil: z.string().nullable().openapi({ description: "A provider's reset the fleet waits for" }),
    pushbacks: z.number().int().openapi({ description: "429s since the limit's state was made" }),
    errors: z.number().int(),
  })
  .openapi("ModelLimit");

export const LimitsSchema = z.object({ queues: z.array(QueueLimits), model: ModelLimit }).openapi("Limits");

export const LimitsChangeSchema = z
  .object({
    queues: z
      .partialRecord(
        z.enum(QUEUES),
        z.object({
          concurrency: z.number().int().min(1).max(1000).nullable().optional(),
          globalConcurrency: z.number().int().min(1).nullable().optional(),
          globalRateLimit: RateLimit.nullable().optional(),
        }),
      )
      .optional(),
    model: z
      .object({ min: z.number().int().min(1), max: z.number().int().min(1) })
      .nullable()
      .optional()
      .openapi({ description: "The adaptive limit's bounds for the fleet (null: the configured FOLIO_AI_CONCURRENCY_MIN/_MAX)" }),
  })
  .openapi("LimitsChange", { example: { queues: { "pdf-notes-optimized": { concurrency: 8, globalRateLimit: { max: 30, durationMs: 1000 } } }, model: { min: 2, max: 16 } } });

export type Limits = z.infer<typeof LimitsSchema>;
export type LimitsChange = z.infer<typeof LimitsChangeSchema>;
