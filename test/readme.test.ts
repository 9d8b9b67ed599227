/**
 * The README's references cannot drift from the code: every setting src/config.ts reads is
 * in the configuration table with the default the code has, and every error code the API
 * can answer is in the errors table (under its status, where the code fixes one) or, for a
 * failed job's `error.code`, in the README's list of them.
 */
import { LOOPBACK_PEER } from "./support/loopback-peer.ts";
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { EnvSchema, loadConfig, QUEUE_KNOBS } from "../src/config.ts";
import { FAILURE_CODES } from "../src/errors/pipeline-error.ts";
import { createApp, type AppDeps } from "../src/server/app.ts";

const ROOT = resolve(import.meta.dir, "..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");

/** The rows (cells without their backticks kept as written) of the table whose header starts with `header`. */
function table(header: string): string[][] {
  const lines = readme.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`| ${header} |`));
  expect(start, `a table headed "| ${header} |" in the README`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
/** "`a` / `b`" and "unset, unset, `uploads`": one part per setting of the row. */
const parts = (cell: string) => cell.split(/ \/ |, (?=`|unset)/).map((p) => p.trim());

/** A default as the README writes it: booleans 1/0, unset for none. */
function shown(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

/** [status | undefined, code] for every error answer the source writes down literally. */
function answeredCodes(): [number | undefined, string][] {
  const found: [number | undefined, string][] = [];
  for (const file of [...sourceFiles("src"), ...sourceFiles("db")]) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/new HttpError\((\d{3}), "([a-z_]+)"/g)) found.push([Number(m[1]), m[2]!]);
    for (const m of text.matchAll(/errorBody\("([a-z_]+)"/g)) found.push([undefined, m[1]!]);
    for (const m of text.matchAll(/error: \{ code: "([a-z_]+)"/g)) found.push([undefined, m[1]!]);
    for (const m of text.matchAll(/userCode: "([a-z_]+)"/g)) found.push([429, m[1]!]);
    // Codes a module hands to the HTTP layer: `readonly code: "a" | "b"`, and Bull Board's refusals.
    for (const m of text.matchAll(/readonly code: ((?:"[a-z_]+"(?: \| )?)+)/g)) for (const c of m[1]!.matchAll(/"([a-z_]+)"/g)) found.push([undefined, c[1]!]);
  }
  const board = readFileSync(join(ROOT, "src/server/routes/bull-board.ts"), "utf8");
  for (const m of board.matchAll(/\["([a-z_]+)", (?:"|`)/g)) found.push([undefined, m[1]!]);
  const middleware = readFileSync(join(ROOT, "src/server/middleware/errors/index.ts"), "utf8");
  for (const m of middleware.matchAll(/(\d{3}): "([a-z_]+)"/g)) found.push([Number(m[1]), m[2]!]);
  return found;
}

/** `invalid_<field>` (src/server/openapi/validation-hook.ts) for every field a route validates. */
async function validationCodes(): Promise<string[]> {
  // Only the document is asked for: no request reaches these stand-in dependencies.
  const identity = { keys: { required: () => false } };
  const app = createApp({ identity, monitor: { queueList: () => [] }, cfg: { FOLIO_BULL_BOARD: "readonly" }, keys: {} } as unknown as AppDeps);
  const doc = (await (await app.request("/openapi.json", { headers: { host: "127.0.0.1" } }, LOOPBACK_PEER)).json()) as any;
  const fields = new Set<string>();
  const ref = (s: any) => (s?.$ref ? doc.components.schemas[s.$ref.split("/").pop()] : s);
  for (const ops of Object.values(doc.paths as Record<string, Record<string, any>>)) {
    for (const op of Object.values(ops)) {
      for (const p of op.parameters ?? []) if (p.in !== "path") fields.add(p.name);
      // A multipart form is read by hand (src/server/upload-body.ts), with codes of its own.
      for (const [type, content] of Object.entries(op.requestBody?.content ?? {}) as [string, any][]) {
        if (type !== "multipart/form-data") for (const name of Object.keys(ref(content.schema)?.properties ?? {})) fields.add(name);
      }
    }
  }
  return [...fields].map((f) => `invalid_${f}`);
}

describe("README configuration table", () => {
  const rows = table("variable");
  const defaults = loadConfig({}) as unknown as Record<string, unknown>;

  test("names every setting src/config.ts reads, each with the code's default", () => {
    const missing: string[] = [];
    const wrong: string[] = [];
    for (const name of Object.keys(EnvSchema.shape)) {
      const row = rows.find((r) => names(r[0]!).includes(name));
      if (!row) {
        missing.push(name);
        continue;
      }
      const expected = shown(defaults[name]);
      const listed = names(row[0]!);
      const cells = parts(row[1]!);
      const cell = cells.length === listed.length ? cells[listed.indexOf(name)]! : row[1]!;
      if (expected === undefined ? !/unset|if |for |with /.test(cell) : !new RegExp(`(^|\`)${RegExp.escape(expected)}(\`|$| )`).test(cell)) {
        wrong.push(`${name}: README says ${JSON.stringify(cell)}, the code ${expected ?? "unset"}`);
      }
    }
    expect(missing).toEqual([]);
    expect(wrong).toEqual([]);
  });

  test("names every per-queue override", () => {
    const row = rows.find((r) => r[0]!.includes("FOLIO_<QUEUE>_"));
    expect(row).toBeDefined();
    for (const suffix of Object.keys(QUEUE_KNOBS)) expect(row![0]).toContain(`_${suffix}`);
  });
});

describe("README errors", () => {
  test("every code the API answers is in the errors table, under its status when the code fixes one", async () => {
    const rows = table("status").map(([status, codes]) => ({ status: Number(status), codes: names(codes!) }));
    const all = rows.flatMap((r) => r.codes);
    const problems: string[] = [];
    for (const [status, code] of answeredCodes()) {
      if (!all.includes(code)) problems.push(`${code} is not in the table`);
      else if (status && !rows.some((r) => r.status === status && r.codes.includes(code))) problems.push(`${code} is not listed under ${status}`);
    }
    for (const code of await validationCodes()) if (!all.includes(code)) problems.push(`${code} (a request field that fails validation) is not in the table`);
    expect([...new Set(problems)]).toEqual([]);
  });

  test("every code a failed job can carry is in the README", () => {
    const missing = FAILURE_CODES.filter((code) => !readme.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });
});

describe("README as a text", () => {
  const lines = readme.split("\n");

  test("no line outside tables and code is over 120 characters", () => {
    let code = false;
    const long: number[] = [];
    lines.forEach((line, i) => {
      if (line.startsWith("```")) code = !code;
      else if (!code && !line.startsWith("|") && line.length > 120) long.push(i + 1);
    });
    expect(long).toEqual([]);
  });

  test("every link of the contents reaches a heading", () => {
    const anchors = new Set(lines.filter((l) => l.startsWith("#")).map((l) => l.replace(/^#+\s*/, "").toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-")));
    const contents = readme.slice(readme.indexOf("**Contents**"), readme.indexOf("## Quick start"));
    const links = [...contents.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThanOrEqual(10);
    expect(links.filter((l) => !anchors.has(l))).toEqual([]);
  });

  test("the Quick start is one block of two lines, the service and then the tests (.ci/run reads the last)", () => {
    const section = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("\n## ", readme.indexOf("## Quick start") + 1));
    const blocks = [...section.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]!.trimEnd().split("\n"));
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toHaveLength(2);
    expect(blocks[0]![0]).toContain("bun run start");
    expect(blocks[0]![1]).toContain("bun run test");
  });

  test("the webhook verification snippet compares in constant time and verifies a real delivery's signature", async () => {
    const snippet = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).find((code) => code.includes("function verify("));
    expect(snippet).toBeDefined();
    expect(snippet).toContain("timingSafeEqual");
    expect(snippet).not.toMatch(/=== mine\b(?!\.length)|\bv === /);
    const { signPayload } = await import("../src/webhooks/signature.ts");
    const file = join(mkdtempSync(join(tmpdir(), "folio-readme-")), "verify.ts");
    writeFileSync(file, `${snippet}\nexport { verify };\n`);
    const { verify } = (await import(file)) as { verify: (secret: string, body: string, header: string) => boolean };
    rmSync(dirname(file), { recursive: true });
    const header = signPayload(["whsec_new", "whsec_old"], '{"event":"job.completed"}');
    expect(verify("whsec_old", '{"event":"job.completed"}', header)).toBe(true);
    expect(verify("whsec_new", '{"event":"job.failed"}', header)).toBe(false);
    expect(verify("whsec_other", '{"event":"job.completed"}', header)).toBe(false);
  });
});
