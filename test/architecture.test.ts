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

describe("architecture", () => {
  test("the graph was read", () => {
    expect(graph.size).toBeGreaterThan(30);
    expect(graph.get("src/service.ts")).toContain("src/server/app.ts");
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

  test("nothing reaches up into the server or the workers", () => {
    const composers = new Set(["src/service.ts", "src/cli/start.ts"]);
    const offenders = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((i) => (i.startsWith("src/server/") && !file.startsWith("src/server/")) || (i.startsWith("workers/") && !file.startsWith("workers/")))
        .filter(() => !composers.has(file))
        .map((i) => `${file} → ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  test("db/ and the pipeline stages know nothing of HTTP or queues' consumers", () => {
    const offenders = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((i) => (file.startsWith("db/") && i.startsWith("src/")) || (file.startsWith("src/pipeline/") && /^src\/(server|cli)\//.test(i)))
        .map((i) => `${file} → ${i}`),
    );
    expect(offenders).toEqual([]);
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
    for (const file of ["workers/consumer.ts", "src/server/routes/uploads.ts", "src/service.ts"]) {
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
