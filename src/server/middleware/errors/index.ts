import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { isConnectionError } from "../../../../db/errors.ts";
import { log } from "../../../log.ts";
import { HttpError, errorBody } from "../../http-error.ts";

/** app.onError: known errors keep their status; anything else is a logged 500 that never leaks internals. */
export function onError(err: Error, c: Context) {
  if (err instanceof HttpError) return c.json(errorBody(err.code, err.message), err.status, err.headers);
  if (err instanceof HTTPException) {
    if (err.status === 415) {
      return c.json(errorBody("unsupported_media_type", `${c.req.header("content-type") ?? "a body without a content type"} is not accepted here`), 415);
    }
    const code = ({ 400: "invalid_request", 413: "file_too_large" } as Record<number, string>)[err.status] ?? "http_error";
    return c.json(errorBody(code, err.message || "request refused"), err.status);
  }
  if (isConnectionError(err)) {
    return c.json(errorBody("database_unavailable", "the database is out of reach; try again shortly"), 503, { "retry-after": "5" });
  }
  log.error({ err: err.message, stack: err.stack, path: c.req.path }, "unhandled error");
  return c.json(errorBody("internal_error", "something went wrong on our side"), 500);
}

export function notFound(c: Context) {
  return c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404);
}
