import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiKeysRepo } from "../../db/api-keys-repo.ts";
import type { JobsRepo } from "../../db/jobs-repo.ts";
import type { WebhooksRepo } from "../../db/webhooks-repo.ts";
import type { Config } from "../config.ts";
import type { QueueMonitor } from "../monitoring/queue-monitor.ts";
import type { PageCounter } from "../ingest/page-count.ts";
import type { Producer } from "../queues/producer.ts";
import type { Storage } from "../storage/storage.ts";
import type { Admission } from "./admission.ts";
import type { JobEvents } from "./job-events.ts";
import type { ConnectionSlots } from "./connection-slots.ts";
import { browserGuard } from "./middleware/browser-guard/index.ts";
import { notFound, onError } from "./middleware/errors/index.ts";
import { securityHeaders } from "./middleware/security-headers/index.ts";
import { identity, type AppEnv, type IdentityOptions } from "./middleware/identity/index.ts";
import { bullBoard } from "./routes/bull-board.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import { docsRoutes } from "./routes/docs.ts";
import type { KeyRing } from "./key-ring.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { probeRoutes, type ReadinessCheck } from "./routes/probes.ts";
import { keyRoutes } from "./routes/keys.ts";
import { erasureRoutes, type ErasureRouteDeps } from "./routes/erasure.ts";
import { usageRoutes } from "./routes/usage.ts";
import type { Quotas } from "./quotas.ts";
import { limitsRoutes, type LimitsDeps } from "./routes/limits.ts";
import { adminOnly, metricsRoute, monitoringRoutes } from "./routes/monitoring.ts";
import { notesRoutes } from "./routes/notes.ts";
import { uploadRoutes, type UploadCache } from "./routes/uploads.ts";
import type { JobLifecycle } from "../jobs/lifecycle.ts";
import { requestSpans } from "./middleware/request-spans/index.ts";
import { webhookRoutes } from "./routes/webhooks.ts";

export interface AppDeps {
  cfg: Config;
  lifecycle: JobLifecycle;
  repo: JobsRepo;
  webhooksRepo: WebhooksRepo;
  storage: Storage;
  cache: UploadCache;
  producer: Producer;
  events: JobEvents;
  readiness: ReadinessCheck[];
  monitor: QueueMonitor;
  identity: IdentityOptions;
  keys: { repo: ApiKeysRepo; ring: KeyRing };
  admission: Admission;
  slots: ConnectionSlots;
  /** Counts the pages of uploads that give a range (src/ingest/page-count.ts). */
  pageCounter?: PageCounter;
  streams: ConnectionSlots;
  quotas: Quotas;
  /** Deletion on request (src/erasure/). */
  erasure: ErasureRouteDeps;
  metrics: () => Promise<{ contentType: string; body: string }>;
  /** Per-queue concurrency kept for the fleet, and the model calls' adaptive limit. */
  limits: Pick<LimitsDeps, "live" | "model">;
}

export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.onError(onError);
  app.notFound(notFound);
  app.use("*", securityHeaders());
  app.use("*", browserGuard({ singleUser: () => !deps.identity.keys.required() }));
  app.route("/", probeRoutes(deps.readiness));
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "An API key (FOLIO_API_KEYS or `bun run folio keys create`); not needed in single-user mode on loopback",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "Folio API", version: "0.1.0", description: "Turn PDFs into structured notes: upload, follow the job, read the notes." },
    security: [{ apiKey: [] }],
  });
  app.route("/docs", docsRoutes());
  app.use("*", identity(deps.identity));
  // After identity: only a caller who got in may continue its own trace (and put a trace id on its jobs).
  app.use("*", requestSpans());
  app.route("/uploads", uploadRoutes(deps));
  // Before /jobs/:id, which would take "monitoring" for a job id.
  app.route("/jobs/monitoring", monitoringRoutes(deps.monitor));
  app.route("/metrics", metricsRoute(deps.metrics));
  app.route("/dashboard", dashboardRoutes(deps.monitor, deps.streams));
  if (deps.cfg.FOLIO_BULL_BOARD !== "off") {
    app.use("/admin/queues/*", adminOnly);
    app.route("/admin/queues", bullBoard("/admin/queues", deps.monitor.queueList(), deps.cfg.FOLIO_BULL_BOARD === "readonly"));
  }
  app.route("/admin/limits", limitsRoutes({ ...deps.limits, cfg: deps.cfg, queues: () => deps.monitor.queueList() }));
  app.route("/admin/keys", keyRoutes(deps.keys.repo, deps.keys.ring, () => deps.identity.envKeys.some((k) => k.admin)));
  app.route("/jobs", jobRoutes({ repo: deps.repo, storage: deps.storage, events: deps.events, streams: deps.streams, keepAliveMs: deps.cfg.FOLIO_SSE_KEEPALIVE_MS }));
  app.route("/notes", notesRoutes(deps.repo));
  app.route("/webhooks", webhookRoutes(deps.webhooksRepo, deps.cfg.FOLIO_WEBHOOK_SECRET_GRACE_S));
  app.route("/", erasureRoutes(deps.erasure));
  app.route("/me", usageRoutes(deps.quotas));
  return app;
}
