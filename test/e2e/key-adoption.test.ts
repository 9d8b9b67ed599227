/**
 * Turning keys on after using Folio in single-user mode: the first key needs a say about
 * the `local` user's jobs (409 local_data_unclaimed, or exit 2 from a script), and adopting
 * gives the key's user those jobs, their notes and the webhook secret, over HTTP and the CLI.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { getJson, uploadFile, waitFinal } from "../support/client.ts";
import { fixture } from "../support/fixtures.ts";
import { startInProcess, type InProcessService } from "../support/in-process-service.ts";
import { freshDatabase } from "../support/postgres.ts";

const ROOT = resolve(import.meta.dir, "../..");
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A single-user service with one finished job and a webhook secret of `local`'s. */
async function singleUserWithAJob(name: string) {
  const db = await freshDatabase(name);
  cleanups.push(db.drop);
  const svc: InProcessService = await startInProcess({ name, env: { DATABASE_URL: db.url, FOLIO_EXTRACT_THREADS: "1" } });
  cleanups.push(() => svc.cleanup(), () => svc.stop());
  const up = await uploadFile(svc.url, fixture("paper-bookmarks.pdf"));
  const job = await waitFinal(svc.url, up.body.jobId);
  expect(job.status).toBe("completed");
  const secret = (await getJson(`${svc.url}/webhooks/secret`)).body.secret as string;
  return { svc, job, secret };
}

const as = (key: string) => ({ authorization: `Bearer ${key}` });
const createKey = (url: string, body: object, headers: Record<string, string> = {}) =>
  fetch(`${url}/admin/keys`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

async function eventuallyStatus(url: string, headers: Record<string, string>, want: number): Promise<Response> {
  for (let i = 0; ; i++) {
    const res = await fetch(url, { headers });
    // Keys reach the service's key ring within a refresh (2 s).
    if (res.status === want || i >= 40) return res;
    await Bun.sleep(100);
  }
}

describe("the first key over single-user data", () => {
  test("HTTP: 409 unless adoptLocal says; false leaves the jobs, true moves jobs, notes and webhook secret", async () => {
    const { svc, job, secret } = await singleUserWithAJob("adopt_http");
    const unanswered = await createKey(svc.url, { userId: "alice", admin: true });
    const refused = (await unanswered.json()) as any;
    expect([unanswered.status, refused.error.code]).toEqual([409, "local_data_unclaimed"]);
    expect(refused.error.message).toContain("adoptLocal");

    const alice = (await (await createKey(svc.url, { userId: "alice", admin: true, adoptLocal: false })).json()) as any;
    expect(alice.adopted).toBe(0);
    expect((await eventuallyStatus(`${svc.url}/jobs/${job.id}`, as(alice.key), 404)).status).toBe(404);

    const bob = await createKey(svc.url, { userId: "bob", adoptLocal: true }, as(alice.key));
    const bobKey = (await bob.json()) as any;
    expect([bob.status, bobKey.adopted]).toEqual([201, 1]);
    const mine = await eventuallyStatus(`${svc.url}/jobs/${job.id}`, as(bobKey.key), 200);
    expect(mine.status).toBe(200);
    const notesId = ((await mine.json()) as any).notesId as string;
    expect((await fetch(`${svc.url}/notes/${notesId}`, { headers: as(bobKey.key) })).status).toBe(200);
    const hook = (await (await fetch(`${svc.url}/webhooks/secret`, { headers: as(bobKey.key) })).json()) as any;
    expect(hook.secret).toBe(secret);
  }, 180_000);

  test("CLI: a script that says nothing gets exit 2 naming --adopt-local; --adopt-local gives the key's user the jobs", async () => {
    const { svc, job } = await singleUserWithAJob("adopt_cli");
    const folio = async (args: string[]) => {
      const proc = Bun.spawn(["bun", "src/cli/folio/main.ts", ...args], {
        cwd: ROOT,
        env: { ...(process.env as Record<string, string>), FOLIO_URL: svc.url },
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
      });
      const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      return { stdout, stderr, code };
    };
    const silent = await folio(["keys", "create", "--user", "carol", "--admin"]);
    expect(silent.code).toBe(2);
    expect(silent.stderr).toContain("1 job made in single-user mode");
    expect(silent.stderr).toContain("--adopt-local");
    expect((await getJson(`${svc.url}/jobs/${job.id}`)).status).toBe(200);

    const adopted = await folio(["keys", "create", "--user", "carol", "--admin", "--adopt-local"]);
    expect(adopted.code).toBe(0);
    expect(adopted.stderr).toContain("1 job made in single-user mode, and its notes, now belongs to carol");
    const key = adopted.stdout.trim();
    expect((await eventuallyStatus(`${svc.url}/jobs/${job.id}`, as(key), 200)).status).toBe(200);
    const status = await folio(["status", job.id, "--api-key", key]);
    expect([status.code, status.stdout]).toEqual([0, expect.stringContaining("completed")]);
  }, 180_000);
});
