/**
 * The CLI refuses what it does not know before it does anything: exit 2 and one line on
 * stderr naming the argument; usage text only for --help, and then on stdout.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
// A command that wrongly ran would open the database here, never in the checkout.
const dataDir = mkdtempSync(join(tmpdir(), "folio-cli-args-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function folio(args: string[]) {
  // Nothing listens on port 9: a command that got past its arguments would fail with 1, not 2.
  const proc = Bun.spawn(["bun", "src/cli/folio/main.ts", ...args], {
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), FOLIO_URL: "http://127.0.0.1:9", FOLIO_DATA_DIR: dataDir, DATABASE_URL: "", NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

describe("folio's arguments", () => {
  test.each([
    [["upload", "x.pdf", "--bogus-flag"], "unknown option --bogus-flag"],
    [["upload", "--output", "/tmp/x/", "x.pdf"], "unknown option --output for folio upload (did you mean --out?)"],
    [["upload", "x.pdf", "--out"], "--out needs a value"],
    [["upload", "x.pdf", "--concurrency", "--refresh"], "--concurrency needs a value"],
    [["status", "j_1", "j_2"], "unexpected argument j_2"],
    [["keys", "crate"], "unknown command crate for folio keys (did you mean create?)"],
    [["keys", "create", "--user", "bob", "--admn"], "unknown option --admn for folio keys create (did you mean --admin?)"],
    [[], "name a command"],
  ])("folio %p is exit 2 with one line on stderr", async (args, message) => {
    const r = await folio(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringContaining(message)]);
  });

  test("--help prints the usage on stdout and exits 0", async () => {
    for (const args of [["--help"], ["upload", "--help"], ["keys", "create", "-h"]]) {
      const r = await folio(args);
      expect([r.code, r.stderr]).toEqual([0, ""]);
      expect(r.stdout).toContain("USAGE");
    }
    expect((await folio(["upload", "--help"])).stdout).toContain("--out");
  });

  test("known options with their values get past the check (and fail on the unreachable service)", async () => {
    const r = await folio(["status", "j_1", "--json", "--url=http://127.0.0.1:9", "--api-key", "k"]);
    expect([r.code, r.stderr]).toEqual([1, expect.stringContaining("cannot reach Folio")]);
  });
});

describe("bun run start's arguments", () => {
  test.each([
    [["--rol", "x"], "Unknown option '--rol'"],
    [["--role"], "argument missing"],
    [["--role", "boss"], "unknown role boss"],
    [["--queues", "nope"], "unknown queue(s) nope"],
  ])("start %p is exit 2 with one line, before anything starts", async (args, message) => {
    const proc = Bun.spawn(["bun", "src/cli/start.ts", ...args], { cwd: ROOT, env: { ...(process.env as Record<string, string>), FOLIO_DATA_DIR: dataDir }, stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect([code, stdout]).toEqual([2, ""]);
    expect(stderr.trimEnd().split("\n")).toEqual([expect.stringContaining(message)]);
  });
});
