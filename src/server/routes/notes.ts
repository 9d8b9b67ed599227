import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { JobsRepo } from "../../../db/jobs-repo.ts";
import { notesView } from "../../views/job-view.ts";
import { HttpError } from "../http-error.ts";
import type { AppEnv } from "../middleware/identity/index.ts";
import { errors, IdParam, NotesView } from "../openapi/schemas.ts";
import { validationHook } from "../openapi/validation-hook.ts";

const getNotes = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["Notes"],
  summary: "A job's notes: JSON, or Markdown with `?format=md` or `Accept: text/markdown`",
  request: {
    params: IdParam("notes", "n_4k2x9q0c1m8b7v6n5z3a"),
    query: z.object({ format: z.enum(["json", "md"]).optional() }),
  },
  responses: {
    200: {
      description: "The notes",
      content: { "application/json": { schema: NotesView }, "text/markdown": { schema: { type: "string" } } },
    },
    ...errors(401, 404),
  },
});

export function notesRoutes(repo: JobsRepo) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(getNotes, async (c) => {
    const { id } = c.req.valid("param");
    const notes = await repo.getNotes(id, c.get("userId"));
    if (!notes) throw new HttpError(404, "notes_not_found", `no notes ${id}`);
    const wantsMarkdown = c.req.valid("query").format === "md" || (c.req.header("accept") ?? "").includes("text/markdown");
    if (wantsMarkdown) return c.body(notes.markdown, 200, { "content-type": "text/markdown; charset=utf-8" });
    return c.json(notesView(notes), 200);
  });
}
