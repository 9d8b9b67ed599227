import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Eraser, ErasureQueue } from "../../erasure/index.ts";
import { HttpError } from "../http-error.ts";
import type { AppEnv } from "../middleware/identity/index.ts";
import { errors, IdParam } from "../openapi/schemas.ts";
import { validationHook } from "../openapi/validation-hook.ts";
import { adminOnly } from "./monitoring.ts";

export interface ErasureRouteDeps {
  eraser: Eraser;
  requests: ErasureQueue;
}

const Erasure = z
  .object({
    id: z.string().openapi({ example: "e_5f0c9a7e2b1d4c3a8e6f7b9d0a1c2e3f" }),
    status: z.enum(["queued", "running", "completed", "failed"]),
    progress: z.number().int().openapi({ description: "0–100: the share of the user's jobs deleted so far" }),
    jobsDeleted: z.number().int().nullable().openapi({ description: "How many jobs (with their notes, files and text) were deleted, once completed" }),
  })
  .openapi("Erasure");
const Accepted = z.object({ id: z.string(), status: z.literal("queued"), statusUrl: z.string().openapi({ example: "/me/data/deletions/e_5f0c9a7e2b1d4c3a8e6f7b9d0a1c2e3f" }) }).openapi("ErasureAccepted");
const UserParam = z.object({ user: z.string().min(1).openapi({ param: { name: "user", in: "path" }, description: "The user's id", example: "alice" }) });
const UserAndId = (name: string, example: string) => UserParam.extend(IdParam(name, example).shape);

const JOB_DOC =
  "The job, its notes, its stored PDF, the text it read, its queue records and webhook delivery, and (FOLIO_CACHE_SCOPE=user) the notes " +
  "and text cached for it. A job still running is cancelled first. Its id answers 404 after, on every server; open event streams get a " +
  "`deleted` event and end.";
const NOTES_DOC = "The notes row, and (FOLIO_CACHE_SCOPE=user) the same notes in the cache; the job stays, without notes.";
const DATA_DOC =
  "Every job, notes row, stored PDF and text, cache entry (user scope), webhook secret and per-user counter of the user, done as a job: " +
  "202 with a status URL to follow. API keys stay (an admin revokes them).";

const JOB_ID = IdParam("job", "j_4k2x9q0c1m8b7v6n5z3a");
const NOTES_ID = IdParam("notes", "n_4k2x9q0c1m8b7v6n5z3a");
const DELETION_ID = IdParam("deletion", "e_5f0c9a7e2b1d4c3a8e6f7b9d0a1c2e3f");

const own = { tags: ["Data"] };
const admin = { tags: ["Data"], middleware: [adminOnly] };
const deleted = { 204: { description: "Deleted" } };
const accepted = { 202: { description: "Accepted: follow statusUrl", content: { "application/json": { schema: Accepted } } } };
const erasure = { 200: { description: "The deletion", content: { "application/json": { schema: Erasure } } } };

const deleteJob = createRoute({ ...own, method: "delete", path: "/jobs/{id}", summary: "Delete a job and all it left behind", description: JOB_DOC, request: { params: JOB_ID }, responses: { ...deleted, ...errors(401, 404) } });
const deleteNotes = createRoute({ ...own, method: "delete", path: "/notes/{id}", summary: "Delete notes", description: NOTES_DOC, request: { params: NOTES_ID }, responses: { ...deleted, ...errors(401, 404) } });
const deleteData = createRoute({ ...own, method: "delete", path: "/me/data", summary: "Delete everything of yours", description: DATA_DOC, responses: { ...accepted, ...errors(401, 503) } });
const dataStatus = createRoute({ ...own, method: "get", path: "/me/data/deletions/{id}", summary: "How a deletion of your data goes", request: { params: DELETION_ID }, responses: { ...erasure, ...errors(401, 404) } });
const adminDeleteJob = createRoute({
  ...admin,
  method: "delete",
  path: "/admin/users/{user}/jobs/{id}",
  summary: "Delete a user's job and all it left behind (admin)",
  description: JOB_DOC,
  request: { params: UserParam.extend(JOB_ID.shape) },
  responses: { ...deleted, ...errors(401, 403, 404) },
});
const adminDeleteNotes = createRoute({
  ...admin,
  method: "delete",
  path: "/admin/users/{user}/notes/{id}",
  summary: "Delete a user's notes (admin)",
  description: NOTES_DOC,
  request: { params: UserParam.extend(NOTES_ID.shape) },
  responses: { ...deleted, ...errors(401, 403, 404) },
});
const adminDeleteData = createRoute({
  ...admin,
  method: "delete",
  path: "/admin/users/{user}/data",
  summary: "Delete everything of a user (admin)",
  description: DATA_DOC,
  request: { params: UserParam },
  responses: { ...accepted, ...errors(401, 403, 503) },
});
const adminDataStatus = createRoute({
  ...admin,
  method: "get",
  path: "/admin/users/{user}/data/deletions/{id}",
  summary: "How a deletion of a user's data goes (admin)",
  request: { params: UserParam.extend(DELETION_ID.shape) },
  responses: { ...erasure, ...errors(401, 403, 404) },
});

/** Deletion on request: the caller's own data under /jobs, /notes and /me, any user's under /admin/users/{user} (admin). */
export function erasureRoutes(deps: ErasureRouteDeps) {
  const eraseJob = async (id: string, userId: string) => {
    if (!(await deps.eraser.eraseJob(id, userId))) throw new HttpError(404, "job_not_found", `no job ${id}`);
  };
  const eraseNotes = async (id: string, userId: string) => {
    if (!(await deps.eraser.eraseNotes(id, userId))) throw new HttpError(404, "notes_not_found", `no notes ${id}`);
  };
  const request = async (userId: string, base: string) => {
    const id = await deps.requests.request(userId).catch(() => {
      throw new HttpError(503, "queue_unavailable", "the job queue is unavailable; try again shortly", { "retry-after": "5" });
    });
    return { id, status: "queued" as const, statusUrl: `${base}/${id}` };
  };
  const status = async (id: string, userId: string) => {
    const found = await deps.requests.status(id, userId);
    if (!found) throw new HttpError(404, "deletion_not_found", `no deletion ${id}`);
    return found;
  };
  const adminBase = (user: string) => `/admin/users/${encodeURIComponent(user)}/data/deletions`;
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(deleteJob, async (c) => {
      await eraseJob(c.req.valid("param").id, c.get("userId"));
      return c.body(null, 204);
    })
    .openapi(deleteNotes, async (c) => {
      await eraseNotes(c.req.valid("param").id, c.get("userId"));
      return c.body(null, 204);
    })
    .openapi(deleteData, async (c) => c.json(await request(c.get("userId"), "/me/data/deletions"), 202))
    .openapi(dataStatus, async (c) => c.json(await status(c.req.valid("param").id, c.get("userId")), 200))
    .openapi(adminDeleteJob, async (c) => {
      const { user, id } = c.req.valid("param");
      await eraseJob(id, user);
      return c.body(null, 204);
    })
    .openapi(adminDeleteNotes, async (c) => {
      const { user, id } = c.req.valid("param");
      await eraseNotes(id, user);
      return c.body(null, 204);
    })
    .openapi(adminDeleteData, async (c) => {
      const { user } = c.req.valid("param");
      return c.json(await request(user, adminBase(user)), 202);
    })
    .openapi(adminDataStatus, async (c) => {
      const { user, id } = c.req.valid("param");
      return c.json(await status(id, user), 200);
    });
}
