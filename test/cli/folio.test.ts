/**
 * `bun run folio …` end to end: the real CLI process against a real service (Postgres,
 * API keys), checked by its exit codes and output, and once in a real terminal (tmux).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fixture } from "../support/fixtures.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

const ROOT = resolve(import.meta.dir, "../..");
const ADMIN_KEY = "cli-test-admin-key-0123456789";
let db: { url: string; drop: () => Promise<void> };
let svc: ServiceProcess;
let source: ReturnType<typeof Bun.serve>;
const work = mkdtempSync(join(tmpdir(), "folio-cli-"));

beforeAll(async () => {
  db = await freshDatabase("cli");
  source = Bun.serve({ port: 0, fetch: () => new Response(Bun.file(fixture("slides.pdf"))) });
  svc = await startServiceProcess({
    name: "cli",
    env: {
      DATABASE_URL: db.url,
      FOLIO_API_KEYS: `${ADMIN_KEY}:alice:admin`,
      FOLIO_ALLOW_PRIVATE_URLS: "1", FOLIO_URL_ALLOWED_PORTS: "any",
      FOLIO_ALERT_FAILURE_RATE: "1",
      FOLIO_ALERT_MIN_THROUGHPUT: "0",
      FOLIO_ALERT_MAX_WAITING: "100000",
    },
  });
});
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  source?.stop(true);
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

/** Runs the CLI as `bun run folio` does, off a terminal. */
async function folio(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn(["bun", "src/cli/folio/main.ts", ...args], {
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), FOLIO_URL: svc.url, FOLIO_API_KEY: ADMIN_KEY, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

/** 50 different PDFs (the small fixtures, each made unique by a trailing comment, so none is a cache hit). */
function batchDir(): string {
  const dir = join(work, "batch");
  mkdirSync(dir, { recursive: true });
  const sources = ["paper-bookmarks.pdf", "slides.pdf", "form.pdf", "cyrillic-ru.pdf", "paper-two-column.pdf"];
  for (let i = 0; i < 50; i++) {
    const bytes = readFileSync(fixture(sources[i % sources.length]!));
    writeFileSync(join(dir, `doc-${String(i).padStart(2, "0")}.pdf`), Buffer.concat([bytes, Buffer.from(`\n%folio-batch-${i}\n`)]));
  }
  return dir;
}

describe("folio CLI", () => {
  test("a directory of 50 PDFs uploads, every job completes, notes land in --out, and a summary table closes", async () => {
    const out = join(work, "notes");
    const r = await folio(["upload", batchDir(), "--out", out, "--concurrency", "6"]);
    expect(r.code).toBe(0);
    const written = readdirSync(out).sort();
    expect(written).toHaveLength(50);
    expect(written[0]).toBe("doc-00.md");
    for (const f of written) expect(readFileSync(join(out, f), "utf8")).toStartWith("# ");
    expect(r.stderr).toContain("50 of 50 completed, 0 failed");
    const rows = r.stderr.split("\n").filter((l) => /│ doc-\d\d\.pdf/.test(l));
    expect(rows).toHaveLength(50);
    for (const row of rows) expect(row).toContain("completed");
    expect(r.stdout).toBe("");
  }, 300_000);

  test("a failed PDF makes the exit code 1 and shows its reason; a URL works like a file", async () => {
    const r = await folio(["upload", fixture("encrypted-userpw.pdf"), `http://127.0.0.1:${source.port}/slides.pdf`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("pdf_encrypted");
    expect(r.stderr).toContain("1 of 2 completed, 1 failed");
    // Without --out the notes go to stdout, and only they do.
    expect(r.stdout).toStartWith("# Introducing Folio\n");
    const two = await folio(["upload", fixture("paper-bookmarks.pdf"), `http://127.0.0.1:${source.port}/slides.pdf`]);
    expect(two.code).toBe(0);
    expect(two.stdout).toStartWith("<!-- paper-bookmarks.pdf -->\n# Concurrent Versions");
    expect(two.stdout).toContain("\n---\n\n<!-- slides.pdf -->\n# Introducing Folio");
  });

  test("--ocr and --pages reach the service: a scan with OCR off fails pdf_no_text; page 2 of the mixed PDF is read alone", async () => {
    const off = await folio(["upload", fixture("scan-paper.pdf"), "--ocr", "off"]);
    expect(off.code).toBe(1);
    expect(off.stderr).toContain("pdf_no_text");
    const page = await folio(["upload", fixture("scan-mixed.pdf"), "--pages", "2"]);
    expect(page.code).toBe(0);
    expect(page.stderr).toContain("scan-mixed.pdf: 1 page");
    expect(page.stdout).toContain("Software is rarely written by one person");
  }, 90_000);

  test("status, notes and report read the service; keys create makes a key the service accepts", async () => {
    const up = await folio(["upload", fixture("paper-bookmarks.pdf")]);
    expect(up.code).toBe(0);
    const jobId = /j_[a-z0-9]{20}/.exec(up.stderr)![0];
    const status = await folio(["status", jobId]);
    expect([status.code, status.stdout]).toEqual([0, expect.stringContaining("completed (100%)")]);
    const json = JSON.parse((await folio(["status", jobId, "--json"])).stdout);
    expect(json).toMatchObject({ id: jobId, status: "completed", notesId: expect.stringMatching(/^n_/) });
    // The PDF was uploaded by the test before: a cache hit, unless --refresh asks again.
    expect(json.cached).toBe(true);
    const fresh = await folio(["upload", fixture("paper-bookmarks.pdf"), "--refresh"]);
    expect(fresh.code).toBe(0);
    const freshId = /j_[a-z0-9]{20}/.exec(fresh.stderr)![0];
    expect(JSON.parse((await folio(["status", freshId, "--json"])).stdout)).toMatchObject({ status: "completed", cached: false });
    const notes = await folio(["notes", jobId]);
    expect(notes.code).toBe(0);
    expect(notes.stdout).toBe(up.stdout);
    const report = await folio(["report"]);
    expect(report.code).toBe(0);
    for (const q of ["url-fetch", "pdf-notes-optimized", "pdf-extract", "ai-notes", "completion"]) expect(report.stdout).toContain(q);
    expect(report.stdout).toMatch(/Total: \d+ done/);

    const created = await folio(["keys", "create", "--user", "bob"], { DATABASE_URL: db.url });
    expect(created.code).toBe(0);
    const bobKey = created.stdout.trim();
    expect(bobKey.length).toBeGreaterThanOrEqual(20);
    // Bob's key works, and Bob does not see Alice's job; nor may he read monitoring.
    const asBob = await folio(["status", jobId], { FOLIO_API_KEY: bobKey });
    expect([asBob.code, asBob.stderr]).toEqual([1, expect.stringContaining("job_not_found")]);
    expect((await folio(["report"], { FOLIO_API_KEY: bobKey })).stderr).toContain("forbidden");
    const bobs = await folio(["upload", fixture("form.pdf")], { FOLIO_API_KEY: bobKey });
    expect(bobs.code).toBe(0);
    // keys list shows who has access, never the keys; keys revoke takes Bob's away within seconds.
    const listed = JSON.parse((await folio(["keys", "list", "--json"])).stdout) as { id: string; userId: string; revokedAt: string | null }[];
    const bob = listed.find((k) => k.userId === "bob")!;
    expect(bob.revokedAt).toBeNull();
    expect(JSON.stringify(listed)).not.toContain(bobKey);
    const revoked = await folio(["keys", "revoke", bob.id]);
    expect([revoked.code, revoked.stderr]).toEqual([0, expect.stringContaining(`revoked ${bob.id}`)]);
    await Bun.sleep(2500);
    const refused = await folio(["status", jobId], { FOLIO_API_KEY: bobKey });
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining("unauthorized")]);
    expect((await folio(["keys", "list"])).stdout).toMatch(/bob.*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s*│\s*\d{4}-/);
  });

  test("exit code 2 for usage errors, 1 for API errors", async () => {
    for (const args of [[], ["frobnicate"], ["upload"], ["upload", "/no/such/file.pdf"], ["upload", fixture("paper-bookmarks.pdf"), "--concurrency", "0"], ["status"], ["upload", "x.pdf", "--pipeline", "fast"]]) {
      const r = await folio(args);
      expect(`${args.join(" ")} → ${r.code}`).toBe(`${args.join(" ")} → 2`);
    }
    const unauthorized = await folio(["status", "j_x"], { FOLIO_API_KEY: "wrong-key-wrong-key-wrong" });
    expect([unauthorized.code, unauthorized.stderr]).toEqual([1, expect.stringContaining("unauthorized")]);
    const down = await folio(["report", "--url", "http://127.0.0.1:9"]);
    expect([down.code, down.stderr]).toEqual([1, expect.stringContaining("cannot reach Folio")]);
  });

  test("in a real terminal, each file gets a progress bar and the run ends with the summary", async () => {
    const session = `folio-cli-${process.pid}`;
    const log = join(work, "tty.log");
    const dir = join(work, "tty");
    mkdirSync(dir, { recursive: true });
    for (const f of ["paper-two-column.pdf", "slides.pdf", "paper-bookmarks.pdf"]) writeFileSync(join(dir, f), readFileSync(fixture(f)));
    const command = `cd ${ROOT} && FOLIO_URL=${svc.url} FOLIO_API_KEY=${ADMIN_KEY} bun run folio upload ${dir} --out ${join(work, "tty-notes")} --pipeline staged; echo "exit=$?"; sleep 30`;
    const tmux = (...args: string[]) => Bun.spawnSync(["tmux", ...args], { stdout: "pipe", stderr: "pipe" });
    expect(tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "40", "bash", "-c", command).exitCode).toBe(0);
    try {
      tmux("pipe-pane", "-t", session, "-o", `cat >> ${log}`);
      let screen = "";
      for (let i = 0; i < 600 && !screen.includes("exit="); i++) {
        await Bun.sleep(100);
        screen = tmux("capture-pane", "-t", session, "-p").stdout.toString();
      }
      expect(screen).toContain("exit=0");
      expect(screen).toContain("3 of 3 completed, 0 failed");
      expect(screen).toMatch(/✓ paper-two-column\.pdf: 1 page → /);
      // The raw terminal stream shows the bars as they moved.
      const raw = readFileSync(log, "utf8");
      expect(raw).toMatch(/\|[\u2588\u2591]{30}\| \d+% (starting|uploading|queued|downloading|extracting|generating|saving|completed)/);
    } finally {
      tmux("kill-session", "-t", session);
    }
  }, 120_000);
  // Last: it deletes everything of the test's user.
  test("delete takes jobs and notes (1 for an unknown id); forget-me asks for --yes, then leaves the user nothing", async () => {
    const up = await folio(["upload", fixture("form.pdf")]);
    const jobId = /j_[a-z0-9]{20}/.exec(up.stderr)![0];
    const job = JSON.parse((await folio(["status", jobId, "--json"])).stdout);
    const gone = await folio(["delete", job.notesId, jobId, "j_nosuchjob0000000000000"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`deleted ${job.notesId}`);
    expect(gone.stderr).toContain(`deleted ${jobId}`);
    expect(gone.stderr).toContain("j_nosuchjob0000000000000: job_not_found");
    expect((await folio(["status", jobId])).stderr).toContain("job_not_found");

    const kept = /j_[a-z0-9]{20}/.exec((await folio(["upload", fixture("slides.pdf")])).stderr)![0];
    expect((await folio(["forget-me"])).code).toBe(2);
    expect((await folio(["status", kept])).code).toBe(0);
    const forgot = await folio(["forget-me", "--yes"]);
    expect([forgot.code, forgot.stderr]).toEqual([0, expect.stringMatching(/deleted: \d+ jobs/)]);
    expect((await folio(["status", kept])).stderr).toContain("job_not_found");
    const usage = await folio(["usage", "--json"]);
    expect([usage.code, JSON.parse(usage.stdout).stored]).toEqual([0, { bytes: 0, limit: null }]);
    expect((await folio(["usage"])).stdout).toMatch(/stored PDFs\s+0 bytes \(no limit\)\nuploaded today\s+0 bytes \(no limit; resets \d{4}-/);
  }, 120_000);
});
