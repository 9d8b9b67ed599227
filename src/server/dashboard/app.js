/* The dashboard page's code: a file, so the page's Content-Security-Policy can forbid inline scripts. */
const $ = (id) => document.getElementById(id);
const pct = (x) => (x * 100).toFixed(1) + " %";
let plot;
function chart(queues) {
  const now = Math.floor(Date.now() / 60000) * 60;
  const xs = Array.from({ length: 60 }, (_, i) => now - (59 - i) * 60);
  const data = [xs, ...queues.map((q) => q.throughputPerMinute)];
  if (!plot) {
    const colors = ["#3b6fd4", "#1a7f37", "#b26a00", "#8e44ad"];
    plot = new uPlot({ width: 560, height: 220, series: [{}, ...queues.map((q, i) => ({ label: q.name, stroke: colors[i % 4], width: 2 }))], axes: [{}, { label: "jobs/min" }] }, data, $("chart"));
  } else plot.setData(data);
}
/** The adaptive limit against calls in flight, one point per report (every 2 s), the last 10 minutes. */
const limits = { t: [], limit: [], inFlight: [] };
let limitPlot;
function limitChart(m) {
  for (const [k, v] of [["t", Date.now() / 1000], ["limit", m.limit], ["inFlight", m.inFlight]]) {
    limits[k].push(v);
    if (limits[k].length > 300) limits[k].shift();
  }
  const data = [limits.t, limits.limit, limits.inFlight];
  if (!limitPlot) {
    const series = [{}, { label: "limit", stroke: "#3b6fd4", width: 2 }, { label: "in flight", stroke: "#b26a00", width: 1, dash: [4, 3] }];
    limitPlot = new uPlot({ width: 560, height: 180, series, axes: [{}, { label: "calls" }] }, data, $("limit-chart"));
  } else limitPlot.setData(data);
}
/** A table row of text cells: values never become markup (queue names and alert messages are data). */
function row(cells) {
  const tr = document.createElement("tr");
  for (const value of cells) tr.insertCell().textContent = String(value);
  return tr;
}
function render(r) {
  $("updated").textContent = new Date(r.generatedAt).toLocaleTimeString();
  $("processed").textContent = r.totalJobsProcessed;
  $("failed").textContent = r.totalJobsFailed;
  $("throughput").textContent = r.avgThroughput.toFixed(1);
  $("hit").textContent = pct(r.cache.l1HitRate) + " / " + pct(r.cache.l2HitRate);
  $("breaker").textContent = r.breaker.state;
  $("breaker").className = r.breaker.state === "open" ? "bad" : r.breaker.state === "half-open" ? "warn" : "ok";
  $("health").textContent = r.healthyQueues + " / " + r.totalQueues;
  $("model-limit").textContent = r.modelLimit ? r.modelLimit.limit + " · " + r.modelLimit.inFlight : "off";
  if (r.modelLimit) limitChart(r.modelLimit);
  $("extraction").textContent = r.extraction.busy + " / " + r.extraction.threads + " · " + r.extraction.waiting;
  const ocr = r.extraction.ocr;
  $("ocr-pages").textContent = ocr.pages;
  $("ocr-seconds").textContent = ocr.seconds.toFixed(1);
  $("ocr-per-page").textContent = ocr.pages > 0 ? (ocr.seconds / ocr.pages).toFixed(1) : "–";
  $("queues").tBodies[0].replaceChildren(
    ...r.queues.map((q) => {
      const tr = row([q.name, q.counts.waiting, q.counts.active, q.counts.delayed, q.counts.completed, q.counts.failed, q.workers, q.wait.p95, q.processing.p50, q.processing.p95, q.healthy ? "healthy" : "unhealthy"]);
      tr.dataset.queue = q.name;
      tr.cells[4].className = "completed";
      tr.cells[10].className = q.healthy ? "ok" : "bad";
      return tr;
    }),
  );
  const stages = r.queues[0]?.stages ?? {};
  $("stages").tBodies[0].replaceChildren(...Object.entries(stages).map(([s, v]) => row([s, v.count, v.avg, v.p50, v.p95, v.p99])));
  const alerts = r.alerts.map((a) => {
    const li = document.createElement("li");
    li.textContent = `${a.rule}: ${a.message}`;
    return li;
  });
  if (!alerts.length) {
    const none = document.createElement("li");
    none.className = "muted";
    none.textContent = "none";
    alerts.push(none);
  }
  $("alerts").replaceChildren(...alerts);
  $("loops").tBodies[0].replaceChildren(
    ...r.eventLoop.map((l) => {
      const tr = row([l.process, l.thread, l.maxMs, l.avgMs]);
      tr.cells[2].className = l.maxMs > 500 ? "bad" : l.maxMs > 100 ? "warn" : "ok";
      return tr;
    }),
  );
  chart(r.queues);
}
const es = new EventSource("/dashboard/stream");
es.addEventListener("report", (e) => render(JSON.parse(e.data)));
