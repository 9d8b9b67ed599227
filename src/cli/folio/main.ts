#!/usr/bin/env bun
/**
 * `bun run folio …`: upload PDFs (files, directories, URLs) and get their notes, follow
 * jobs, delete them (or all your data), read the monitoring report, create API keys. Exit codes: 0 all done, 1 anything
 * failed (a job, the API, an alert in the report), 2 usage (an unknown command or option, a
 * missing value: one line on stderr).
 */
import { stripVTControlCharacters } from "node:util";
import { defineCommand, runCommand, showUsage, type CommandDef } from "citty";
import { ConfigError } from "../../errors/config-error.ts";
import { ApiError, FolioClient, type Usage } from "./client.ts";
import { expandInputs, UsageError } from "./inputs.ts";
import { createKey, listKeys, revokeKey } from "./keys.ts";
import { PerformanceReportSchema } from "../../monitoring/report-schema.ts";
import { checkArgs } from "./strict-args.ts";
import { changeOf, readLimits, setLimits } from "./limits.ts";
import { jobTable, keysTable, limitsTable, reportTable } from "./tables.ts";
import { summaryTable, uploadAll } from "./upload.ts";

const connection = {
  url: { type: "string", description: "Folio's address (or FOLIO_URL)", valueHint: "URL" },
  "api-key": { type: "string", description: "API key (or FOLIO_API_KEY)", valueHint: "KEY" },
} as const;

const clientOf = (args: { url?: string; "api-key"?: string }) =>
  new FolioClient((args.url ?? process.env.FOLIO_URL ?? "http://127.0.0.1:3000").replace(/\/+$/, ""), args["api-key"] ?? process.env.FOLIO_API_KEY);

const upload = defineCommand({
  meta: { name: "upload", description: "Upload PDFs (files, directories of PDFs, or http(s) URLs) and get their notes" },
  args: {
    inputs: { type: "positional", description: "FILE | DIR | URL …", required: false },
    out: { type: "string", alias: "o", description: "Write each PDF's notes to DIR/<name>.md instead of printing them", valueHint: "DIR" },
    pipeline: { type: "enum", options: ["optimized", "staged"], description: "Which pipeline runs the jobs" },
    refresh: { type: "boolean", description: "Make the notes afresh even when the PDF's are cached (and replace them in the cache)" },
    ocr: { type: "enum", options: ["auto", "force", "off"], description: "Which pages are read by OCR: auto (scanned pages, the default), force (every page), off" },
    pages: { type: "string", description: "Only these pages, e.g. 1-5,9", valueHint: "RANGE" },
    concurrency: { type: "string", alias: "c", default: "4", description: "Uploads in flight at once" },
    ...connection,
  },
  async run({ args }) {
    const concurrency = Number(args.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError("--concurrency must be a whole number ≥ 1");
    const inputs = expandInputs(args._);
    const outcomes = await uploadAll(clientOf(args), inputs, { out: args.out, pipeline: args.pipeline, refresh: args.refresh, ocr: args.ocr, pages: args.pages, concurrency });
    const printed = outcomes.filter((o) => o.markdown);
    process.stdout.write(printed.map((o) => (printed.length > 1 ? `<!-- ${o.input.name} -->\n${o.markdown}` : o.markdown)).join("\n\n---\n\n"));
    if (printed.length) process.stdout.write("\n");
    console.error(summaryTable(outcomes));
    process.exitCode = outcomes.every((o) => o.job?.status === "completed") ? 0 : 1;
  },
});

const status = defineCommand({
  meta: { name: "status", description: "Show a job's status, progress, timings and error" },
  args: { job: { type: "positional", description: "Job id", required: true }, json: { type: "boolean", description: "Print the job as JSON" }, ...connection },
  async run({ args }) {
    const job = await clientOf(args).job(args.job);
    console.log(args.json ? JSON.stringify(job, null, 2) : jobTable(job));
    process.exitCode = job.status === "failed" ? 1 : 0;
  },
});

const notes = defineCommand({
  meta: { name: "notes", description: "Print a job's notes as Markdown (a notes id or a job id)" },
  args: { id: { type: "positional", description: "Notes id (n_…) or job id (j_…)", required: true }, ...connection },
  async run({ args }) {
    const client = clientOf(args);
    let id = args.id;
    if (id.startsWith("j_")) {
      const job = await client.job(id);
      if (!job.notesId) throw new ApiError(409, "no_notes", `job ${id} is ${job.status}${job.error ? ` (${job.error.code}: ${job.error.message})` : ""}: it has no notes`);
      id = job.notesId;
    }
    process.stdout.write(`${await client.notesMarkdown(id)}\n`);
  },
});

const del = defineCommand({
  meta: { name: "delete", description: "Delete jobs (j_…) with their notes, file and text, or notes alone (n_…)" },
  args: { ids: { type: "positional", description: "JOB | NOTES …", required: false }, ...connection },
  async run({ args }) {
    if (!args._.length) throw new UsageError("give the ids of the jobs or notes to delete");
    const client = clientOf(args);
    let failed = 0;
    for (const id of args._) {
      try {
        await client.delete(id);
        console.error(`deleted ${id}`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        failed++;
        console.error(`${id}: ${err.code}: ${err.message}`);
      }
    }
    process.exitCode = failed ? 1 : 0;
  },
});

const forgetMe = defineCommand({
  meta: { name: "forget-me", description: "Delete everything of yours the service keeps (jobs, notes, files, text, cache entries); asks for --yes" },
  args: { yes: { type: "boolean", description: "Yes, delete it all: there is no undo" }, ...connection },
  async run({ args }) {
    if (!args.yes) throw new UsageError("forget-me deletes all your jobs, notes and files for good: run it again with --yes");
    const done = await clientOf(args).forgetMe((percent) => console.error(`deleting… ${percent}%`));
    console.error(done.status === "completed" ? `deleted: ${done.jobsDeleted} jobs with their notes, files and text` : `deletion ${done.id} failed; run forget-me again`);
    process.exitCode = done.status === "completed" ? 0 : 1;
  },
});

const usage = defineCommand({
  meta: { name: "usage", description: "What you store and uploaded today, against your quotas" },
  args: { json: { type: "boolean", description: "Print JSON" }, ...connection },
  async run({ args }) {
    const u = await clientOf(args).json<Usage>("/me/usage");
    const of = (limit: number | null) => (limit === null ? "no limit" : `of ${limit}`);
    console.log(
      args.json
        ? JSON.stringify(u, null, 2)
        : `stored PDFs     ${u.stored.bytes} bytes (${of(u.stored.limit)})\nuploaded today  ${u.uploadedToday.bytes} bytes (${of(u.uploadedToday.limit)}; resets ${u.uploadedToday.resetsAt})`,
    );
  },
});

const report = defineCommand({
  meta: { name: "report", description: "The monitoring summary as a table (admin)" },
  args: { json: { type: "boolean", description: "Print the report as JSON" }, ...connection },
  async run({ args }) {
    // Read by the schema the service answers with: a service of another version says so here.
    const r = PerformanceReportSchema.parse(await clientOf(args).json<unknown>("/jobs/monitoring/report"));
    console.log(args.json ? JSON.stringify(r, null, 2) : reportTable(r));
    process.exitCode = r.alerts.length ? 1 : 0;
  },
});

const keys = defineCommand({
  meta: { name: "keys", description: "API keys: through the running service, or its database when none runs" },
  subCommands: {
    create: defineCommand({
      meta: { name: "create", description: "Create an API key for a user and print it once (the first key turns authentication on)" },
      args: {
        user: { type: "string", description: "The user the key acts as", valueHint: "USER" },
        admin: { type: "boolean", description: "May read monitoring and manage keys" },
        "adopt-local": {
          type: "boolean",
          description: "Give USER the jobs and notes made in single-user mode (--no-adopt-local leaves them); asked on a terminal when it matters",
        },
        ...connection,
      },
      async run({ args }) {
        const { id, key, adopted } = await createKey(clientOf(args), args.user, Boolean(args.admin), args["adopt-local"]);
        console.log(key);
        console.error(`API key ${id} for ${args.user}${args.admin ? " (admin)" : ""}: shown once, store it now.`);
        if (adopted) console.error(`${adopted === 1 ? "1 job made in single-user mode, and its notes, now belongs" : `${adopted} jobs made in single-user mode, and their notes, now belong`} to ${args.user}.`);
      },
    }),
    list: defineCommand({
      meta: { name: "list", description: "List API keys (ids, users, revoked or not); never the keys" },
      args: { json: { type: "boolean", description: "Print JSON" }, ...connection },
      async run({ args }) {
        const all = await listKeys(clientOf(args));
        console.log(args.json ? JSON.stringify(all, null, 2) : keysTable(all));
      },
    }),
    revoke: defineCommand({
      meta: { name: "revoke", description: "Revoke an API key by its id (k_…)" },
      args: { id: { type: "positional", description: "The key's id", required: false }, ...connection },
      async run({ args }) {
        console.error(`revoked ${args.id} at ${await revokeKey(clientOf(args), args.id)}`);
      },
    }),
  },
});

const limits = defineCommand({
  meta: { name: "limits", description: "See the fleet's limits (admin): per queue, and the model calls' adaptive limit" },
  args: { json: { type: "boolean", description: "Print JSON" }, ...connection },
  async run({ args, rawArgs }) {
    // citty runs the parent's run after a sub-command too: `set` prints its own answer.
    if (rawArgs.includes("set")) return;
    const l = await readLimits(clientOf(args));
    console.log(args.json ? JSON.stringify(l, null, 2) : limitsTable(l));
  },
  subCommands: {
    set: defineCommand({
      meta: { name: "set", description: "Change limits while the fleet runs (every worker process within 2 s, kept across restarts)" },
      args: {
        queue: { type: "string", description: "The queue the per-queue flags apply to", valueHint: "QUEUE" },
        concurrency: { type: "string", description: "Jobs at once per worker process (default: back to the configured one)", valueHint: "N|default" },
        "global-concurrency": { type: "string", description: "Jobs at once in the whole fleet (BullMQ's)", valueHint: "N|none" },
        "rate-limit": { type: "string", description: "Jobs per that many ms in the whole fleet (BullMQ's)", valueHint: "MAX/MS|none" },
        model: { type: "string", description: "The adaptive limit's bounds for model calls", valueHint: "MIN-MAX|default" },
        json: { type: "boolean", description: "Print JSON" },
        ...connection,
      },
      async run({ args }) {
        const l = await setLimits(clientOf(args), changeOf(args));
        console.log(args.json ? JSON.stringify(l, null, 2) : limitsTable(l));
      },
    }),
  },
});

const main = defineCommand({
  meta: { name: "folio", version: "0.1.0", description: "Turn PDFs into structured notes with a Folio service" },
  subCommands: { upload, status, notes, delete: del, "forget-me": forgetMe, usage, report, keys, limits },
});

/** The command the arguments name, for its usage text. */
function commandFor(rawArgs: string[]): [CommandDef, CommandDef | undefined] {
  let cmd: CommandDef = main;
  let parent: CommandDef | undefined;
  for (const arg of rawArgs) {
    const sub = (cmd.subCommands as Record<string, CommandDef> | undefined)?.[arg];
    if (!sub) break;
    [parent, cmd] = [cmd, sub];
  }
  return [cmd, parent];
}

const rawArgs = process.argv.slice(2);
try {
  // Help is asked for, so it goes to stdout; a usage error is one line on stderr instead.
  if (rawArgs.some((a) => a === "--help" || a === "-h")) {
    await showUsage(...commandFor(rawArgs));
    process.exit(0);
  }
  checkArgs(main, rawArgs, new Set([upload, del]));
  // citty drops a sub-command's return value: each command sets process.exitCode instead.
  await runCommand(main, { rawArgs });
  process.exit(process.exitCode ?? 0);
} catch (err) {
  const e = err as Error;
  if (e.name === "CLIError" || err instanceof UsageError) {
    console.error(`folio: ${stripVTControlCharacters(e.message)}`);
    process.exit(2);
  }
  console.error(`folio: ${err instanceof ApiError ? `${err.code}: ${err.message}` : err instanceof ConfigError ? err.message : e.message}`);
  process.exit(1);
}
