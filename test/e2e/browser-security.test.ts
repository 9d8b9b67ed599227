/**
 * A web page the user visits must not be able to drive a Folio on their machine: DNS
 * rebinding (a foreign Host) and cross-site requests are refused, while curl and the CLI,
 * which send neither Origin nor Sec-Fetch-Site, keep working. HTML pages carry a CSP.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fixture } from "../support/fixtures.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

let svc: ServiceProcess;
beforeAll(async () => {
  svc = await startServiceProcess({ name: "browser-security" });
});
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
});

const send = (path: string, init: RequestInit = {}) => fetch(`${svc.url}${path}`, init);
const code = async (res: Response) => [res.status, ((await res.json()) as any).error?.code];
function pdfForm() {
  const form = new FormData();
  form.append("file", Bun.file(fixture("slides.pdf")), "slides.pdf");
  return form;
}

describe("single-user mode on loopback", () => {
  test("a request for another host name (DNS rebinding) is refused on every route, loopback names work", async () => {
    for (const path of ["/webhooks/secret", "/admin/queues/api/queues", "/metrics", "/jobs/monitoring/report", "/health"]) {
      expect([path, ...(await code(await send(path, { headers: { host: "rebind.attacker.example" } })))]).toEqual([path, 403, "host_not_allowed"]);
      expect([path, ...(await code(await send(path, { headers: { host: `rebind.attacker.example:${svc.port}` } })))]).toEqual([path, 403, "host_not_allowed"]);
    }
    for (const host of [`localhost:${svc.port}`, `127.0.0.1:${svc.port}`, "localhost", `[::1]:${svc.port}`]) {
      expect([host, (await send("/webhooks/secret", { headers: { host } })).status]).toEqual([host, 200]);
    }
  });

  test("cross-site requests that change state are refused; curl-like clients and same-origin pages are not", async () => {
    const crossSite: Record<string, string>[] = [{ origin: "http://evil.example" }, { "sec-fetch-site": "cross-site" }, { "sec-fetch-site": "same-site" }, { origin: "null" }];
    for (const headers of crossSite) {
      expect(await code(await send("/uploads", { method: "POST", body: pdfForm(), headers }))).toEqual([403, "cross_site_request"]);
      expect(await code(await send("/webhooks/secret/rotate", { method: "POST", headers }))).toEqual([403, "cross_site_request"]);
    }
    // Bull Board parses JSON from any content type: a text/plain form post from another site.
    const add = await send("/admin/queues/api/queues/pdf-notes-optimized/add", {
      method: "POST",
      headers: { origin: "http://evil.example", "content-type": "text/plain" },
      body: JSON.stringify({ name: "x", data: {} }),
    });
    expect(await code(add)).toEqual([403, "cross_site_request"]);
    // No Origin, no Sec-Fetch-Site: curl, the CLI, SDKs.
    expect((await send("/uploads", { method: "POST", body: pdfForm() })).status).toBe(202);
    // The service's own pages (same origin) and a user typing the URL (none).
    expect((await send("/uploads", { method: "POST", body: pdfForm(), headers: { origin: svc.url, "sec-fetch-site": "same-origin" } })).status).toBeLessThan(300);
    expect((await send("/webhooks/secret/rotate", { method: "POST", headers: { "sec-fetch-site": "none" } })).status).toBe(200);
    // Reading is not changing state: a cross-site GET gets its answer (the browser keeps it from the page).
    expect((await send("/health", { headers: { "sec-fetch-site": "cross-site" } })).status).toBe(200);
  });

  test("Bull Board is read-only by default: adding a job through it is refused", async () => {
    const add = await send("/admin/queues/api/queues/pdf-notes-optimized/add", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "injected", data: { jobId: "j_x" } }),
    });
    expect(add.status).toBe(405);
    // In Folio's error shape, like every other refusal.
    expect(((await add.json()) as any).error).toMatchObject({ code: "queue_read_only", message: expect.stringContaining("FOLIO_BULL_BOARD=full") });
    const queues = (await (await send("/admin/queues/api/queues")).json()) as any;
    expect(queues.queues.every((q: any) => q.readOnlyMode)).toBe(true);
  });
});

describe("HTML pages", () => {
  test("a Content-Security-Policy, nosniff and no framing; the dashboard allows no inline script", async () => {
    for (const path of ["/dashboard", "/docs", "/admin/queues"]) {
      const res = await send(path);
      expect(res.headers.get("content-type")).toContain("text/html");
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("connect-src 'self'");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
    }
    const dashboard = (await send("/dashboard")).headers.get("content-security-policy")!;
    expect(dashboard).toContain("script-src 'self';");
    expect(await (await send("/dashboard")).text()).not.toMatch(/<script>(?!<\/script>)/);
    expect((await send("/jobs/j_none")).headers.get("content-security-policy")).toStartWith("default-src 'none'");
  });
});
