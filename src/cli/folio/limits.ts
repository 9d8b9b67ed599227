import { LimitsSchema, type Limits, type LimitsChange } from "../../queues/limits-schema.ts";
import { QUEUE_NAMES, type QueueName } from "../../jobs/pipelines.ts";
import type { FolioClient } from "./client.ts";
import { UsageError } from "./inputs.ts";

/** `folio limits`: what the service answers, read by the schema it answers with. */
export async function readLimits(client: FolioClient): Promise<Limits> {
  return LimitsSchema.parse(await client.json<unknown>("/admin/limits"));
}

export interface SetArgs {
  queue?: string;
  concurrency?: string;
  "global-concurrency"?: string;
  "rate-limit"?: string;
  model?: string;
}

const count = (flag: string, v: string) => {
  if (!/^[1-9]\d*$/.test(v)) throw new UsageError(`--${flag} takes a whole number of 1 or more`);
  return Number(v);
};

/** `folio limits set …` as the PUT body: only what the flags name; "default" / "none" put a setting back. */
export function changeOf(args: SetArgs): LimitsChange {
  const change: LimitsChange = {};
  const perQueue = args.concurrency ?? args["global-concurrency"] ?? args["rate-limit"];
  if (perQueue !== undefined) {
    if (!args.queue || !QUEUE_NAMES.includes(args.queue as QueueName)) throw new UsageError(`--queue is one of ${QUEUE_NAMES.join(", ")}`);
    const rate = args["rate-limit"];
    const global = args["global-concurrency"];
    change.queues = {
      [args.queue as QueueName]: {
        ...(args.concurrency !== undefined ? { concurrency: args.concurrency === "default" ? null : count("concurrency", args.concurrency) } : {}),
        ...(global !== undefined ? { globalConcurrency: global === "none" ? null : count("global-concurrency", global) } : {}),
        ...(rate !== undefined ? { globalRateLimit: rate === "none" ? null : rateOf(rate) } : {}),
      },
    };
  }
  if (args.model !== undefined) {
    const m = /^(\d+)-(\d+)$/.exec(args.model);
    if (args.model !== "default" && !m) throw new UsageError("--model takes MIN-MAX (e.g. 2-16) or default");
    change.model = m ? { min: count("model", m[1]!), max: count("model", m[2]!) } : null;
  }
  if (!change.queues && change.model === undefined) throw new UsageError("nothing to set: give --concurrency, --global-concurrency or --rate-limit (with --queue), or --model");
  return change;
}

function rateOf(v: string) {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m) throw new UsageError("--rate-limit takes MAX/MS (jobs per that many ms, e.g. 30/1000) or none");
  return { max: count("rate-limit", m[1]!), durationMs: count("rate-limit", m[2]!) };
}

export async function setLimits(client: FolioClient, change: LimitsChange): Promise<Limits> {
  return LimitsSchema.parse(await client.json<unknown>("/admin/limits", { method: "PUT", headers: { "content-type": "application/json" } }, () => JSON.stringify(change)));
}
