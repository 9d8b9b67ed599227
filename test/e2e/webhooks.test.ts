/** Completion webhooks: signed POSTs to a real receiver on loopback, retried with backoff. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { verifySignature } from "../../src/webhooks/signature.ts";
import { getJson, uploadFile, waitFinal } from "../support/client.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";
import { fixture } from "../support/fixtures.ts";

interface Delivery {
  path: string;
  body: string;
  signature: string;
  event: string;
  delivery: string;
  attempt: string;
  at: number;
}

let receiver: ReturnType<typeof Bun.serve>;
let hook = "";
let svc: ServiceProcess;
const deliveries: Delivery[] = [];
const seen = new Map<string, number>();

beforeAll(async () => {
  receiver = Bun.serve({
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      deliveries.push({ path, body: await req.text(), signature: req.headers.get("x-folio-signature") ?? "", event: req.headers.get("x-folio-event") ?? "", delivery: req.headers.get("x-folio-delivery") ?? "", attempt: req.headers.get("x-folio-delivery-attempt") ?? "", at: Date.now() });
      const n = (seen.get(path) ?? 0) + 1;
      seen.set(path, n);
      if (path === "/down") return new Response("no", { status: 500 });
      if (path === "/flaky" && n <= 2) return new Response("not yet", { status: 503 });
      return new Response("ok");
    },
  });
  hook = `http://127.0.0.1:${receiver.port}`;
  svc = await startServiceProcess({
    name: "webhooks",
    env: { FOLIO_ALLOW_PRIVATE_URLS: "1", FOLIO_URL_ALLOWED_PORTS: "any", FOLIO_WEBHOOK_ATTEMPTS: "4", FOLIO_WEBHOOK_BACKOFF_MS: "150" },
  });
});
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  receiver?.stop(true);
});

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

const forJob = (path: string, jobId: string) => deliveries.filter((d) => d.path === path && JSON.parse(d.body).job.id === jobId);
const secret = async () => (await getJson(`${svc.url}/webhooks/secret`)).body.secret as string;

describe("webhooks", () => {
  test("a completed job is POSTed, signed with the user's secret, and retried with backoff until the receiver takes it", async () => {
    const up = await uploadFile(svc.url, fixture("paper-bookmarks.pdf"), { callbackUrl: `${hook}/flaky` });
    expect(up.status).toBe(202);
    await waitFinal(svc.url, up.body.jobId);
    const got = await until("three deliveries", () => (forJob("/flaky", up.body.jobId).length >= 3 ? forJob("/flaky", up.body.jobId) : undefined));
    const key = await secret();
    expect(key).toStartWith("whsec_");
    for (const d of got) {
      expect(d.event).toBe("job.completed");
      expect(verifySignature(key, d.body, d.signature)).toBe(true);
      expect(verifySignature(key, d.body.replace("completed", "failed"), d.signature)).toBe(false);
    }
    const payload = JSON.parse(got[2]!.body);
    expect(payload).toMatchObject({ event: "job.completed", job: { id: up.body.jobId, status: "completed" } });
    expect(payload.notes.title.length).toBeGreaterThan(0);
    expect(payload.notes.markdown).toContain("#");
    // One delivery id across the retries (a receiver de-duplicates by it); the attempt has its own header.
    expect(got.map((d) => [d.delivery, d.attempt])).toEqual([[up.body.jobId, "1"], [up.body.jobId, "2"], [up.body.jobId, "3"]]);
    // Exponential: the second wait is longer than the first.
    expect(got[2]!.at - got[1]!.at).toBeGreaterThan(got[1]!.at - got[0]!.at);
    const job = await until("delivered status", async () => {
      const j = (await getJson(`${svc.url}/jobs/${up.body.jobId}`)).body;
      return j.callback?.status === "delivered" ? j : undefined;
    });
    expect(job.callback).toEqual({ url: `${hook}/flaky`, status: "delivered", attempts: 3 });
  });

  test("a failed job and a cached upload get their webhooks too", async () => {
    const bad = await uploadFile(svc.url, fixture("encrypted-userpw.pdf"), { callbackUrl: `${hook}/ok` });
    const cached = await uploadFile(svc.url, fixture("paper-bookmarks.pdf"), { callbackUrl: `${hook}/ok` });
    expect(cached.body.cached).toBe(true);
    const failed = await until("failed delivery", () => forJob("/ok", bad.body.jobId)[0]);
    expect(failed.event).toBe("job.failed");
    expect(JSON.parse(failed.body)).toMatchObject({ job: { status: "failed", error: { code: "pdf_encrypted" } }, notes: null });
    const hit = await until("cached delivery", () => forJob("/ok", cached.body.jobId)[0]);
    expect(JSON.parse(hit.body)).toMatchObject({ event: "job.completed", job: { cached: true } });
  });

  test("a receiver that never answers 2xx is given up on after FOLIO_WEBHOOK_ATTEMPTS, and the job says so", async () => {
    const up = await uploadFile(svc.url, fixture("slides.pdf"), { callbackUrl: `${hook}/down` });
    expect((await waitFinal(svc.url, up.body.jobId)).status).toBe("completed");
    const job = await until("failed callback", async () => {
      const j = (await getJson(`${svc.url}/jobs/${up.body.jobId}`)).body;
      return j.callback?.status === "failed" ? j : undefined;
    });
    expect(job.callback.attempts).toBe(4);
    expect(forJob("/down", up.body.jobId)).toHaveLength(4);
  });

  test("rotating the secret: later deliveries carry the new signature and, for the grace period, the old one; bad callback URLs are refused", async () => {
    const old = await secret();
    const rotation = await fetch(`${svc.url}/webhooks/secret/rotate`, { method: "POST" });
    // Answers that carry a secret are kept by no cache on the way.
    expect(rotation.headers.get("cache-control")).toBe("no-store");
    expect((await fetch(`${svc.url}/webhooks/secret`)).headers.get("cache-control")).toBe("no-store");
    const rotated = (await rotation.json()) as { secret: string; previousValidUntil: string };
    expect(rotated.secret).not.toBe(old);
    expect(Date.parse(rotated.previousValidUntil) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    // Asked again during the grace period, the answer still says until when the old secret signs.
    const shown = (await getJson(`${svc.url}/webhooks/secret`)).body;
    expect([shown.secret, shown.previousValidUntil]).toEqual([rotated.secret, rotated.previousValidUntil]);
    const up = await uploadFile(svc.url, fixture("form.pdf"), { callbackUrl: `${hook}/ok` });
    const d = await until("delivery", () => forJob("/ok", up.body.jobId)[0]);
    expect(d.signature.match(/v1=/g)).toHaveLength(2);
    // A receiver that has switched verifies, and so does one still on the old secret.
    expect(verifySignature(rotated.secret, d.body, d.signature)).toBe(true);
    expect(verifySignature(old, d.body, d.signature)).toBe(true);
    expect(verifySignature("whsec_someone-else", d.body, d.signature)).toBe(false);
    const refused = await uploadFile(svc.url, fixture("paper-bookmarks.pdf"), { callbackUrl: "ftp://example.com/hook" });
    expect([refused.status, refused.body.error.code]).toEqual([400, "invalid_callback_url"]);
  });
});
