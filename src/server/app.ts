import { Hono } from "hono";
import type { JobsRepo } from "../../db/jobs-repo.ts";
import type { NotesLookup } from "../cache/index.ts";
import type { Config } from "../config.ts";
import type { Producer } from "../queues/producer.ts";
import type { Storage } from "../storage/storage.ts";
import type { JobEvents } from "./job-events.ts";
import { notFound, onError } from "./middleware/errors/index.ts";
import { identity, type AppEnv, type IdentityOptions } from "./middleware/identity/index.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { adminOnly, metricsRoute, monitoringRoutes } from "./routes/monitoring.ts";
import { bullBoard } from "./routes/bull-board.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import type { QueueMonitor } from "../monitoring/queue-monitor.ts";
import type { Admission } from "./admission.ts";
import { notesRoutes } from "./routes/notes.ts";
import { uploadRoutes } from "./routes/uploads.ts";

export interface AppDeps {
  cfg: Config;
  repo: JobsRepo;
  storage: Storage;
  cache: NotesLookup;
  producer: Producer;
  events: JobEvents;
  ready: () => Promise<void>;
  monitor: QueueMonitor;
  identity: IdentityOptions;
  admission: Admission;
  metrics: () => Promise<{ contentType: string; body: string }>;
}

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.notFound(notFound);
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/ready", async (c) => {
    try {
      await deps.ready();
      return c.json({ status: "ready" });
    } catch (err) {
      return c.json({ error: { code: "not_ready", message: (err as Error).message } }, 503);
    }
  });
  app.use("*", identity(deps.identity));
  app.route("/uploads", uploadRoutes(deps));
  // Before /jobs/:id, which would take "monitoring" for a job id.
  app.route("/jobs/monitoring", monitoringRoutes(deps.monitor));
  app.route("/metrics", metricsRoute(deps.metrics));
  app.route("/dashboard", dashboardRoutes(deps.monitor));
  app.use("/admin/queues/*", adminOnly);
  app.route("/admin/queues", bullBoard("/admin/queues", deps.monitor.queueList()));
  app.route("/jobs", jobRoutes({ repo: deps.repo, events: deps.events }));
  app.route("/notes", notesRoutes(deps.repo));
  return app;
}
