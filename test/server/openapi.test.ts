/**
 * The OpenAPI document is the API: every route the app serves is in it (and nothing
 * else), it is valid OpenAPI 3.1, and requests built from it succeed against a running
 * service with the answers it documents. /docs renders it in real Chromium.
 */
import { LOOPBACK_PEER } from "../support/loopback-peer.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { validate } from "@scalar/openapi-parser";
import { chromium } from "playwright-core";
import { createApp, type AppDeps } from "../../src/server/app.ts";
import { uploadFile, waitFinal } from "../support/client.ts";
import { fixture } from "../support/fixtures.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";
import { CHROMIUM_PATH } from "../support/browser.ts";

/** Served on purpose outside the document: the document itself, its viewer, and Bull Board's own UI. */
const UNDOCUMENTED = [/^GET \/openapi\.json$/, /^GET \/docs(\/scalar\.js)?$/, /^[A-Z]+ \/admin\/queues(\/|$)/];

let svc: ServiceProcess;
let source: ReturnType<typeof Bun.serve>;
let doc: any;

beforeAll(async () => {
  const pdf = Bun.file(fixture("paper-bookmarks.pdf"));
  source = Bun.serve({ port: 0, fetch: () => new Response(pdf) });
  svc = await startServiceProcess({ name: "openapi", env: { FOLIO_ALLOW_PRIVATE_URLS: "1", FOLIO_URL_ALLOWED_PORTS: "any" } });
  doc = await (await fetch(`${svc.url}/openapi.json`)).json();
});
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  source?.stop(true);
});

/** METHOD /path of every operation, in OpenAPI's {param} form. */
function documented(): string[] {
  return Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
}

function served(): string[] {
  // Only the route table is read: no request reaches these stand-in dependencies.
  const app = createApp({ monitor: { queueList: () => [] }, cfg: { FOLIO_BULL_BOARD: "readonly" }, keys: {} } as unknown as AppDeps);
  const routes = app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
  return [...new Set(routes)].filter((r) => !UNDOCUMENTED.some((re) => re.test(r)));
}

const ref = (schema: any): any => (schema?.$ref ? doc.components.schemas[schema.$ref.split("/").pop()] : schema);

/** The answer is one the document lists for this operation, with the documented media type and required fields. */
async function conforms(op: any, res: Response): Promise<void> {
  const answer = op.responses[String(res.status)];
  expect(answer, `${res.url} answered ${res.status}, which is not documented`).toBeDefined();
  if (res.status === 204) {
    expect(answer.content).toBeUndefined();
    expect(await res.text()).toBe("");
    return;
  }
  const type = (res.headers.get("content-type") ?? "").split(";")[0]!;
  const content = answer.content?.[type] ?? answer.content?.[Object.keys(answer.content ?? {}).find((k) => k.split(";")[0] === type) ?? ""];
  expect(content, `${res.url}: ${type} is not a documented media type`).toBeDefined();
  if (type === "text/event-stream") {
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain("event:");
    await reader.cancel();
    return;
  }
  const body = type === "application/json" ? await res.json() : await res.text();
  const schema = ref(content.schema);
  for (const field of schema?.required ?? []) expect(body, `${res.url}: missing ${field}`).toHaveProperty(field);
  if (schema?.type === "string") expect(typeof body).toBe("string");
}

describe("OpenAPI", () => {
  test("every route the app serves is in the document, and every documented route is served", () => {
    expect(documented().sort()).toEqual(served().sort());
    expect(documented().length).toBeGreaterThanOrEqual(15);
  });

  test("the document is valid OpenAPI 3.1 and every operation has a summary and responses", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const { valid, errors } = await validate(doc);
    expect(errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    for (const ops of Object.values(doc.paths as Record<string, Record<string, any>>)) {
      for (const op of Object.values(ops)) {
        expect(op.summary.length).toBeGreaterThan(5);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      }
    }
  });

  test("requests built from the document succeed with the answers it documents", async () => {
    const upload = doc.paths["/uploads"].post;
    expect(upload.requestBody.required).toBe(true);
    expect(ref(upload.requestBody.content["application/json"].schema).required).toEqual(["url"]);
    // Each documented body type of POST /uploads.
    const form = new FormData();
    form.append("file", Bun.file(fixture("paper-bookmarks.pdf")), "paper.pdf");
    const bodies: [string | undefined, BodyInit][] = [
      [undefined, form],
      ["application/pdf", Bun.file(fixture("slides.pdf"))],
      ["application/json", JSON.stringify({ url: `http://127.0.0.1:${source.port}/paper.pdf`, pipeline: "staged" })],
    ];
    for (const type of Object.keys(upload.requestBody.content)) if (type !== "application/octet-stream") expect(bodies.map(([t]) => t ?? "multipart/form-data")).toContain(type);
    const jobIds: string[] = [];
    for (const [type, body] of bodies) {
      const res = await fetch(`${svc.url}/uploads`, { method: "POST", body, headers: type ? { "content-type": type } : {} });
      const copy = res.clone();
      await conforms(upload, res);
      jobIds.push(((await copy.json()) as { jobId: string }).jobId);
    }
    const finals = await Promise.all(jobIds.map((id) => waitFinal(svc.url, id)));
    expect(finals.map((j) => j.status)).toEqual(["completed", "completed", "completed"]);
    // Path parameters: the documented example, except ids, which must be real ones.
    const ids: Record<string, string> = { "/jobs/{id}": finals[0].id, "/jobs/{id}/events": finals[0].id, "/jobs/{id}/text": finals[0].id, "/notes/{id}": finals[0].notesId };
    let calls = 0;
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(ops)) {
        // Deletions and admin routes on users are called below, once the other routes have read the jobs.
        if (path === "/uploads" || path.startsWith("/admin/keys") || path.startsWith("/admin/users") || method === "delete" || path.startsWith("/me/data") || (path === "/admin/limits" && method === "put")) continue;
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) =>
          name === "id" ? ids[path]! : String(op.parameters.find((p: any) => p.name === name).example ?? op.parameters.find((p: any) => p.name === name).schema.example),
        );
        const res = await fetch(`${svc.url}${url}`, { method: method.toUpperCase() });
        expect(res.status, `${method} ${url}`).toBeLessThan(300);
        await conforms(op, res);
        calls++;
      }
    }
    const changed = await fetch(`${svc.url}/admin/limits`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ queues: { "ai-notes": { concurrency: 3 } } }) });
    expect(changed.status).toBe(200);
    await conforms(doc.paths["/admin/limits"].put, changed);
    const call = async (method: string, path: string, url: string) => {
      const res = await fetch(`${svc.url}${url}`, { method: method.toUpperCase() });
      expect(res.status, `${method} ${url}`).toBeLessThan(300);
      const copy = res.clone();
      await conforms(doc.paths[path][method], res);
      calls++;
      return copy;
    };
    await call("delete", "/notes/{id}", `/notes/${finals[1].notesId}`);
    await call("delete", "/jobs/{id}", `/jobs/${finals[2].id}`);
    await call("delete", "/admin/users/{user}/notes/{id}", `/admin/users/local/notes/${finals[0].notesId}`);
    for (const [path, base] of [["/me/data", "/me/data"], ["/admin/users/{user}/data", "/admin/users/local/data"]] as const) {
      const { id } = (await (await call("delete", path, base)).json()) as { id: string };
      const status = `${path}/deletions/{id}`;
      for (let i = 0; i < 600 && ((await (await fetch(`${svc.url}${base}/deletions/${id}`)).json()) as { status: string }).status !== "completed"; i++) await Bun.sleep(100);
      await call("get", status, `${base}/deletions/${id}`);
    }
    const deletable = await fetch(`${svc.url}/uploads`, { method: "POST", body: Bun.file(fixture("slides.pdf")), headers: { "content-type": "application/pdf" } });
    await call("delete", "/admin/users/{user}/jobs/{id}", `/admin/users/local/jobs/${((await deletable.json()) as { jobId: string }).jobId}`);
    // Keys last: the first one created turns authentication on (and, the jobs above being local's, must say whether to adopt them).
    const created = await fetch(`${svc.url}/admin/keys`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId: "alice", admin: true, adoptLocal: true }) });
    const key = ((await created.clone().json()) as { id: string; key: string });
    await conforms(doc.paths["/admin/keys"].post, created);
    const auth = { authorization: `Bearer ${key.key}` };
    const listed = await fetch(`${svc.url}/admin/keys`, { headers: auth });
    // Not the admin's own key: the last admin key cannot be revoked.
    const bob = (await (await fetch(`${svc.url}/admin/keys`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ userId: "bob" }) })).json()) as { id: string };
    const revoked = await fetch(`${svc.url}/admin/keys/${bob.id}`, { method: "DELETE", headers: auth });
    expect([created.status, listed.status, revoked.status]).toEqual([201, 200, 200]);
    await conforms(doc.paths["/admin/keys"].get, listed);
    await conforms(doc.paths["/admin/keys/{id}"].delete, revoked);
    expect(calls + 4).toBe(documented().length - 1);
  });

  test("/docs shows the interactive reference in a real browser, offline", async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ["--no-sandbox", "--headless", "--disable-gpu"] });
    try {
      const page = await browser.newPage();
      const external: string[] = [];
      page.on("request", (r) => {
        if (!r.url().startsWith(svc.url) && !r.url().startsWith("data:")) external.push(r.url());
      });
      await page.goto(`${svc.url}/docs`);
      await page.getByText("Liveness: the process answers").first().waitFor({ timeout: 30_000 });
      await page.getByText("Uploads", { exact: true }).first().click();
      await page.getByText("Upload a PDF, or the URL of one").first().waitFor({ timeout: 10_000 });
      expect(await page.title()).toContain("Folio API");
      expect(external).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

test("/ready names a dependency that is down, never its error text", async () => {
  const app = createApp({
    monitor: { queueList: () => [] },
    cfg: { FOLIO_BULL_BOARD: "off" },
    keys: {},
    identity: { envKeys: [], keys: { required: () => false } },
    readiness: [
      { name: "redis", check: async () => "PONG" },
      { name: "database", check: async () => Promise.reject(new Error("connect ECONNREFUSED postgres://folio:hunter2@db.internal:5432/folio")) },
    ],
  } as unknown as AppDeps);
  const res = await app.request("http://localhost/ready", { headers: { host: "localhost" } }, LOOPBACK_PEER);
  expect(res.status).toBe(503);
  const body = JSON.stringify(await res.json());
  expect(body).toContain("not ready: database");
  expect(body).not.toContain("hunter2");
  expect(body).not.toContain("db.internal");
});
