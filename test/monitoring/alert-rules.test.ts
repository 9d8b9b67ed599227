/** The alert rules and the Grafana dashboard, as Prometheus and Grafana would read them. */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { promtool } from "../support/promtool.ts";

const DIR = resolve(import.meta.dir, "../../src/monitoring");
const rules = readFileSync(`${DIR}/alerts.rules.yml`, "utf8");
// Every metric name the code registers with prom-client.
const exported = new Set(
  readdirSync(DIR)
    .filter((f) => f.endsWith(".ts"))
    .flatMap((f) => [...readFileSync(`${DIR}/${f}`, "utf8").matchAll(/name: "(folio_\w+)"/g)].map((m) => m[1]!)),
);
const metricsIn = (text: string) => [...new Set([...text.matchAll(/\b(folio_[a-z_]+?)(_bucket|_sum|_count)?\b/g)].map((m) => (exported.has(m[1]!) ? m[1]! : m[0]!)))];

test("promtool check rules and promtool test rules pass: each rule fires on its series and not on the others", () => {
  expect(promtool(["check", "rules", `${DIR}/alerts.rules.yml`])).toMatchObject({ code: 0 });
  const tested = promtool(["test", "rules", `${DIR}/alerts.rules.test.yml`]);
  expect(tested.output).toContain("SUCCESS");
  expect(tested.code).toBe(0);
  const names = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
  expect(names).toEqual(["FolioHighFailureRate", "FolioLowThroughput", "FolioTooManyWaiting", "FolioSlowProcessing", "FolioNoWorker"]);
  const testsText = readFileSync(`${DIR}/alerts.rules.test.yml`, "utf8");
  for (const n of names) expect(testsText).toContain(`alertname: ${n}`);
});

test("the rules and the dashboard use only metrics Folio exports", () => {
  const dashboard = readFileSync(`${DIR}/grafana-dashboard.json`, "utf8");
  for (const m of [...metricsIn(rules), ...metricsIn(dashboard)]) expect({ metric: m, exported: exported.has(m) }).toEqual({ metric: m, exported: true });
});

test("the Grafana dashboard has the fields Grafana's schema needs", () => {
  const d = JSON.parse(readFileSync(`${DIR}/grafana-dashboard.json`, "utf8"));
  expect(d).toMatchObject({ uid: expect.any(String), title: "Folio", schemaVersion: expect.any(Number), time: { from: expect.any(String), to: "now" } });
  expect(d.templating.list).toContainEqual(expect.objectContaining({ name: "datasource", type: "datasource", query: "prometheus" }));
  const ids = d.panels.map((p: any) => p.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const p of d.panels) {
    expect(["timeseries", "stat", "table", "gauge", "bargauge"]).toContain(p.type);
    expect(p.gridPos).toEqual({ h: expect.any(Number), w: expect.any(Number), x: expect.any(Number), y: expect.any(Number) });
    expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    expect(p.targets.length).toBeGreaterThan(0);
    for (const t of p.targets) expect(t).toMatchObject({ refId: expect.stringMatching(/^[A-Z]$/), expr: expect.stringContaining("folio_") });
  }
  // The /dashboard's panels: throughput, queues, stage breakdown, alerts; and event-loop delay per thread.
  const titles = d.panels.map((p: any) => p.title).join(" | ");
  for (const part of ["Completed jobs per minute", "waiting", "Stage breakdown", "Firing alerts", "Event-loop delay"]) expect(titles).toContain(part);
});
