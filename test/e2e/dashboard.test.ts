/** The dashboard in real headless Chromium (Debian's chromium + playwright-core): numbers move as PDFs are processed. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { QUEUE_NAMES } from "../../src/jobs/pipelines.ts";
import { uploadFile, waitFinal } from "../support/client.ts";
import { freshDatabase } from "../support/postgres.ts";
import { OUTPUT_DIR, startServiceProcess, type ServiceProcess } from "../support/service-process.ts";
import { CHROMIUM_PATH } from "../support/browser.ts";
import { fixture } from "../support/fixtures.ts";
import { startOpenAIStandIn, type StandIn } from "../support/openai-standin.ts";

let db: { url: string; drop: () => Promise<void> };
let svc: ServiceProcess;
let browser: Browser;
let standIn: StandIn;

beforeAll(async () => {
  db = await freshDatabase("dashboard");
  // Notes by a model (the stand-in): the fleet's limit on model calls has something to show.
  // Calls of 3 s: longer than the 2 s between reports, so the page sees them in flight.
  standIn = startOpenAIStandIn({ latencyMs: 3000 });
  svc = await startServiceProcess({ name: "dashboard", env: { DATABASE_URL: db.url, FOLIO_CACHE: "off", FOLIO_OCR_DPI: "150", OPENAI_BASE_URL: standIn.url, OPENAI_API_KEY: "stand-in" } });
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
afterAll(async () => {
  await browser?.close();
  await svc?.stop();
  svc?.cleanup();
  await db?.drop();
  await standIn?.stop();
});

test("the dashboard shows the queues and its numbers move as jobs complete, OCR's among them", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${svc.url}/dashboard`);
  await page.waitForFunction(() => document.getElementById("processed")?.textContent !== "–");
  const before = Number(await page.textContent("#processed"));
  expect(await page.locator("#queues tbody tr").count()).toBe(QUEUE_NAMES.length);
  // The worker threads post their breakers every 2 s: a page opened as the service starts may see none yet.
  await page.waitForFunction(() => document.getElementById("breaker")?.textContent === "closed", undefined, { timeout: 10_000 });
  // A fresh fleet's limit, nothing in flight yet.
  expect(await page.textContent("#model-limit")).toBe("2 · 0");

  const ups = [];
  for (const f of ["paper-bookmarks.pdf", "slides.pdf", "paper-two-column.pdf", "bad-first-1kb.pdf", "scan-paper.pdf"]) ups.push(await uploadFile(svc.url, fixture(f)));
  await Promise.all(ups.map((u) => waitFinal(svc.url, u.body.jobId)));

  await page.waitForFunction((n) => Number(document.getElementById("processed")?.textContent) >= n + 3, before, { timeout: 20_000 });
  await page.waitForFunction(() => Number(document.getElementById("failed")?.textContent) >= 1, undefined, { timeout: 20_000 });
  const row = page.locator('#queues tr[data-queue="pdf-notes-optimized"] td.completed');
  expect(Number(await row.textContent())).toBeGreaterThanOrEqual(3);
  expect(await page.locator("#stages tbody tr").count()).toBe(4);
  expect(await page.locator("#chart canvas").count()).toBeGreaterThan(0);
  // The extraction pool's threads (busy / all · waiting), as the worker process posted them.
  await page.waitForFunction(() => /^\d+ \/ [1-9]\d* · \d+$/.test(document.getElementById("extraction")?.textContent ?? ""), undefined, { timeout: 10_000 });
  // The OCR panel: the scan's page, and the seconds OCR took, as the worker process posted them.
  await page.waitForFunction(() => Number(document.getElementById("ocr-pages")?.textContent) >= 1, undefined, { timeout: 10_000 });
  expect(Number(await page.textContent("#ocr-seconds"))).toBeGreaterThan(0);
  expect(Number(await page.textContent("#ocr-per-page"))).toBeGreaterThan(0);
  // Event-loop delay of every thread: the main one and each queue's consumer.
  await page.waitForFunction((n) => (document.querySelectorAll("#loops tbody tr").length ?? 0) >= n, QUEUE_NAMES.length + 1, { timeout: 10_000 });
  const threads = await page.locator("#loops tbody tr td:nth-child(2)").allTextContents();
  expect(new Set(threads)).toEqual(new Set(["main", ...QUEUE_NAMES]));
  for (const ms of await page.locator("#loops tbody tr td:nth-child(3)").allTextContents()) expect(ms.trim()).toMatch(/^\d+(\.\d+)?$/);
  // The model calls' limit against calls in flight, over time: the calls the jobs made were seen in flight.
  expect(await page.locator("#limit-chart canvas").count()).toBeGreaterThan(0);
  expect(await page.evaluate("Math.max(...limits.inFlight)")).toBeGreaterThan(0);
  mkdirSync(OUTPUT_DIR, { recursive: true });
  await page.screenshot({ path: join(OUTPUT_DIR, "dashboard.png"), fullPage: true });
  // The README's screenshot is regenerated only when asked, never by a normal run.
  if (process.env.UPDATE_SCREENSHOTS === "1") await page.screenshot({ path: join(import.meta.dir, "../../src/server/dashboard/screenshot.png"), fullPage: true });
}, 60_000);
