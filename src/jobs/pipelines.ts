import type { Phase } from "./phases.ts";
import type { Profile, QueueTuning } from "./queue-tuning.ts";

/**
 * What a job goes through, declared once. Each pipeline names its stages in order; the
 * producer's flow, each consumer's stage number and first/last role, the BullMQ job ids, the
 * order of status writes, the phases a stage may write (status, progress bar and timing:
 * phases.ts) and its workers' settings per profile all derive from this table. Adding a stage
 * is one entry here and its consumer in workers/consumers.ts (whose type asks for it).
 */
export interface StageDecl<Q extends string = string> {
  queue: Q;
  /** The BullMQ job id is `<Folio job id>-<idSuffix>`; the last stage takes the Folio job id itself. */
  idSuffix: string;
  /** For people reading this table. */
  does: string;
  /** The phases this stage runs, in order. */
  phases: readonly Phase[];
  tuning: Record<Profile, QueueTuning>;
}

export type PipelineTable<Q extends string = string> = Record<string, readonly StageDecl<Q>[]>;

const LONG = { lockDuration: 120000, stalledInterval: 120000 };
const SHORT = { lockDuration: 60000, stalledInterval: 60000 };

/** Downloads wait on the network, not the CPU: many at once, in either profile. */
const FETCH_TUNING = { concurrency: 10, limiterMax: 0, drainDelay: 10, ...LONG, backoffBaseMs: 2000 };

/** Uploads by URL pass through this queue before their pipeline: stage 0. */
export const INTAKE = {
  queue: "url-fetch",
  idSuffix: "fetch",
  does: "download the PDF from its URL into storage, hashing it on the way",
  phases: ["fetching"],
  tuning: { baseline: FETCH_TUNING, optimized: FETCH_TUNING },
} as const satisfies StageDecl;

export const PIPELINE_TABLE = {
  optimized: [
    {
      queue: "pdf-notes-optimized",
      idSuffix: "",
      does: "download, extract, make the notes and save them, in one job",
      phases: ["downloading", "extracting", "generating", "saving"],
      tuning: {
        baseline: { concurrency: 15, limiterMax: 25, drainDelay: 20, ...LONG, backoffBaseMs: 0 },
        optimized: { concurrency: 20, limiterMax: 30, drainDelay: 10, ...LONG, backoffBaseMs: 1000 },
      },
    },
  ],
  staged: [
    {
      queue: "pdf-extract",
      idSuffix: "extract",
      does: "download and extract; the text goes to Redis, not into the job",
      phases: ["downloading", "extracting"],
      tuning: {
        baseline: { concurrency: 3, limiterMax: 0, drainDelay: 60, ...SHORT, backoffBaseMs: 0 },
        optimized: { concurrency: 8, limiterMax: 15, drainDelay: 15, ...LONG, backoffBaseMs: 0 },
      },
    },
    {
      queue: "ai-notes",
      idSuffix: "notes",
      does: "make the notes from the text (cached), return them to the last stage",
      phases: ["generating"],
      tuning: {
        baseline: { concurrency: 2, limiterMax: 0, drainDelay: 60, ...SHORT, backoffBaseMs: 0 },
        optimized: { concurrency: 5, limiterMax: 10, drainDelay: 15, ...LONG, backoffBaseMs: 2000 },
      },
    },
    {
      queue: "completion",
      idSuffix: "",
      does: "save the notes and the final status",
      phases: ["saving"],
      tuning: {
        baseline: { concurrency: 5, limiterMax: 0, drainDelay: 60, ...SHORT, backoffBaseMs: 0 },
        optimized: { concurrency: 10, limiterMax: 20, drainDelay: 10, ...SHORT, backoffBaseMs: 0 },
      },
    },
  ],
} as const satisfies PipelineTable;

export type Pipeline = keyof typeof PIPELINE_TABLE;
export type QueueName = typeof INTAKE.queue | (typeof PIPELINE_TABLE)[Pipeline][number]["queue"];

export const PIPELINES = Object.keys(PIPELINE_TABLE) as [Pipeline, ...Pipeline[]];
export const QUEUE_NAMES: QueueName[] = [INTAKE.queue, ...Object.values(PIPELINE_TABLE).flatMap((stages) => stages.map((s) => s.queue))];

/**
 * A queue's place in its pipeline: `stage` orders the job's status writes (the intake is 0,
 * a pipeline's stages 1, 2, …); `first` is where the queue wait is measured.
 */
export interface StageRole {
  stage: number;
  first: boolean;
  decl: StageDecl;
}

export function roleOf(queue: string, table: PipelineTable = PIPELINE_TABLE): StageRole {
  if (queue === INTAKE.queue) return { stage: 0, first: true, decl: INTAKE };
  for (const stages of Object.values(table)) {
    const i = stages.findIndex((s) => s.queue === queue);
    if (i >= 0) return { stage: i + 1, first: i === 0, decl: stages[i]! };
  }
  throw new Error(`queue ${queue} is in no pipeline`);
}

const idOf = (jobId: string, suffix: string) => (suffix ? `${jobId}-${suffix}` : jobId);

/** Every BullMQ job a Folio job may be represented by, queue by queue. */
export function bullJobIds(jobId: string, table: PipelineTable = PIPELINE_TABLE): { queue: string; id: string }[] {
  return [
    { queue: INTAKE.queue, id: idOf(jobId, INTAKE.idSuffix) },
    ...Object.values(table).flatMap((stages) => stages.map((s) => ({ queue: s.queue, id: idOf(jobId, s.idSuffix) }))),
  ];
}

/** The BullMQ job id of a Folio job on one of its queues. */
export function bullJobId(jobId: string, queue: string, table: PipelineTable = PIPELINE_TABLE): string {
  const found = bullJobIds(jobId, table).find((b) => b.queue === queue);
  if (!found) throw new Error(`queue ${queue} is in no pipeline`);
  return found.id;
}

/** The Folio job id behind any BullMQ job id of any pipeline. */
export function folioJobId(bullId: string, table: PipelineTable = PIPELINE_TABLE): string {
  const suffixes = [INTAKE.idSuffix, ...Object.values(table).flatMap((stages) => stages.map((s) => s.idSuffix))].filter(Boolean);
  const match = suffixes.find((s) => bullId.endsWith(`-${s}`));
  return match ? bullId.slice(0, -(match.length + 1)) : bullId;
}

/** A flow as BullMQ's FlowProducer takes it: the last stage is the parent, each earlier stage a child of the next. */
export interface FlowNode {
  queueName: string;
  jobId: string;
  children?: FlowNode[];
}

export function flowOf(jobId: string, stages: readonly StageDecl[]): FlowNode {
  return stages.reduce<FlowNode | undefined>((child, s) => ({ queueName: s.queue, jobId: idOf(jobId, s.idSuffix), ...(child && { children: [child] }) }), undefined)!;
}

export function isQueueName(name: string): name is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(name);
}

export function isPipeline(name: string): name is Pipeline {
  return (PIPELINES as readonly string[]).includes(name);
}
