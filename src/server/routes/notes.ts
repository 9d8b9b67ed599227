import { Hono } from "hono";
import type { JobsRepo } from "../../../db/jobs-repo.ts";
import { HttpError } from "../http-error.ts";
import { notesView } from "../job-view.ts";
import type { AppEnv } from "../middleware/identity/index.ts";

export function notesRoutes(repo: JobsRepo) {
  return new Hono<AppEnv>().get("/:id", async (c) => {
    const notes = await repo.getNotes(c.req.param("id"), c.get("userId"));
    if (!notes) throw new HttpError(404, "notes_not_found", `no notes ${c.req.param("id")}`);
    const wantsMarkdown = c.req.query("format") === "md" || (c.req.header("accept") ?? "").includes("text/markdown");
    if (wantsMarkdown) return c.body(notes.markdown, 200, { "content-type": "text/markdown; charset=utf-8" });
    return c.json(notesView(notes));
  });
}
