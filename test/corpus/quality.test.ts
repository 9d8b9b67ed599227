/**
 * bench:quality as part of the corpus suite: the offline summary beats the lead baseline
 * and random sentences on ROUGE-2 against the papers' abstracts, and the outline detector
 * keeps its measured F1 against the bookmarks (bench/RESULTS.md has the tables).
 */
import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { spawnGuarded } from "../support/process-guard.ts";

test("bench:quality --check passes on the corpus", async () => {
  const proc = spawnGuarded(["bun", "bench/quality/run.ts", "--check"], { cwd: resolve(import.meta.dir, "../.."), stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout as ReadableStream).text(), new Response(proc.stderr as ReadableStream).text(), proc.exited]);
  console.log(out.split("\n").filter((l) => l.includes("**mean**")).join("\n"));
  expect(err.split("\n").filter((l) => l.startsWith("FAIL"))).toEqual([]);
  expect(code).toBe(0);
}, 600_000);
