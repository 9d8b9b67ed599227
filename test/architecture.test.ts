/**
 * The import graph: no cycles, and dependencies point one way (HTTP → queue → stages →
 * storage/db). madge would be the usual tool, but its TypeScript parser needs the
 * TypeScript 5 JS API, which TypeScript 7 (native) no longer ships; Bun's transpiler
 * reads the imports instead.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..");
const transpiler = new Bun.Transpiler({ loader: "ts" });

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function importGraph(dirs: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of dirs.flatMap((d) => files(join(ROOT, d)))) {
    const imports = transpiler
      .scanImports(readFileSync(file, "utf8").replace(/^#!.*/, ""))
      .filter((i) => i.path.startsWith("."))
      .map((i) => relative(ROOT, resolve(dirname(file), i.path)));
    out.set(relative(ROOT, file), imports);
  }
  return out;
}

const graph = importGraph(["src", "workers", "db"]);

/**
 * The layers, bottom to top: a module imports from its own folder or from a folder of a lower
 * layer, never sideways or up (type-only imports aside: they vanish at run time, and the
 * settings' type is read everywhere). Data flows HTTP → queue → stages → storage/db; a new
 * folder takes its place here.
 */
const LAYERS = [
  // Foundations: plain functions, calls across threads, the database schema and clients, the
  // Redis URL, keyspace and boards.
  ["src/text", "src/crypto", "src/net", "src/threads", "src/redact.ts", "src/tracing", "src/redis", "db"],
  // What every layer speaks: error classes, the log, the views users are shown.
  ["src/errors", "src/log.ts", "src/views"],
  // The parts: file storage, the job lifecycle and the pipelines' declaration, breakers,
  // metrics, URL ingest, reading PDFs (the thread pool, pdf.js text, lines, headings, OCR).
  ["src/storage", "src/jobs", "src/resilience", "src/monitoring", "src/ingest", "src/extraction", "src/runtime.ts"],
  // Each module's typed options, built from the settings (whose type alone it reads).
  ["src/options.ts"],
  // Notes from the text read; the dependencies checked and started at start-up; the
  // settings, validated against the pipelines and the OCR languages.
  ["src/notes", "src/dependencies", "src/config.ts"],
  // What carries the work: the caches, the queues, webhooks.
  ["src/cache", "src/queues", "src/webhooks"],
  // Deletion on request, across what the layers below keep (rows, files, caches, queue records).
  ["src/erasure"],
  // The two roles: queue consumers (and the stages they run) and the HTTP server.
  ["workers", "src/server"],
  // The wiring of a process, then the command line.
  ["src/service"],
  ["src/cli"],
];
/** `src/extraction/ocr/render.ts` → `src/extraction`; top-level files of src/ are their own layer entry. */
const folderOf = (file: string) => {
  const parts = file.split("/");
  return parts[0] === "src" ? (parts.length > 2 ? `src/${parts[1]}` : file) : parts[0]!;
};

describe("architecture", () => {
  test("the graph was read", () => {
    expect(graph.size).toBeGreaterThan(30);
    expect(graph.get("src/service/server-role.ts")).toContain("src/server/app.ts");
  });

  test("there are no import cycles", () => {
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === "done") return;
      if (state.get(node) === "visiting") {
        cycles.push([...path.slice(path.indexOf(node)), node].join(" → "));
        return;
      }
      state.set(node, "visiting");
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, "done");
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });

  test("every import points down the layers, so folders never import in a circle", () => {
    const layerOf = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));
    const unplaced = [...new Set([...graph.keys()].map(folderOf))].filter((f) => !layerOf.has(f));
    expect(unplaced).toEqual([]);
    const upward = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((i) => folderOf(i) !== folderOf(file) && layerOf.get(folderOf(i))! >= layerOf.get(folderOf(file))!)
        .map((i) => `${file} → ${i}`),
    );
    expect(upward).toEqual([]);
  });

  test("every Redis key is spelled in one module, src/redis/keyspace.ts", () => {
    const spelled = [...graph.keys()]
      .filter((file) => file !== "src/redis/keyspace.ts")
      .flatMap((file) =>
        readFileSync(join(ROOT, file), "utf8")
          .split("\n")
          .flatMap((line, i) => (/\$\{[\w.]*prefix\}:/i.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(spelled).toEqual([]);
  });

  test("only the lifecycle module (src/jobs/) writes job state or announces webhooks", () => {
    // The ways to change a job's row or its webhook: the status order, the status writer's
    // entry points, the rows' creation, the webhook queue, and the per-attempt handle.
    const WRITES = /\bstatusSeq\(|\bstore\.(update|progress)\(|\.createUpload\(|\.announce\(|new JobTracker\(/;
    const allowed = (file: string) => file.startsWith("src/jobs/") || file.startsWith("db/") || file === "src/webhooks/webhook-queue.ts";
    const offenders = [...graph.keys()]
      .filter((file) => !allowed(file))
      .flatMap((file) =>
        readFileSync(join(ROOT, file), "utf8")
          .split("\n")
          // Wiring the lifecycle to the webhook queue is where it is built, not a write.
          .flatMap((line, i) => (WRITES.test(line) && !/^\s*(\/\/|\*)/.test(line) && !line.includes("new JobLifecycle(") ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(offenders).toEqual([]);
    // And the lifecycle is what the consumers, the upload route and the failure watcher use.
    for (const file of ["workers/consumer.ts", "src/server/routes/uploads.ts", "src/service/workers-role.ts"]) {
      expect(readFileSync(join(ROOT, file), "utf8")).toMatch(/lifecycle\.(track|created|enqueueFailed|failedByQueue)\(/);
    }
  });

  test("tests outside the corpus suite read only the repo's own fixtures, never the wide corpus", () => {
    const tests = importGraph(["test"]);
    const reaches = (file: string, seen = new Set<string>()): boolean => {
      if (file === "test/support/corpus.ts") return true;
      if (seen.has(file)) return false;
      seen.add(file);
      return (tests.get(file) ?? []).some((next) => reaches(next, seen));
    };
    const offenders = [...tests.keys()]
      // This file names the corpus only to look for it.
      .filter((f) => f.endsWith(".test.ts") && !f.startsWith("test/corpus/") && f !== "test/architecture.test.ts")
      .filter((f) => reaches(f) || /shared\/corpus|FOLIO_CORPUS/.test(readFileSync(join(ROOT, f), "utf8")));
    expect(tests.size).toBeGreaterThan(40);
    expect(offenders).toEqual([]);
  });
});
