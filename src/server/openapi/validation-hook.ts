import type { Hook } from "@hono/zod-openapi";
import type { z } from "zod";
import { HttpError } from "../http-error.ts";

/** A request that fails its schema: 400 with `invalid_<field>` and the first issue, in our error shape. */
export function invalidRequest(error: z.ZodError): HttpError {
  const issue = error.issues[0];
  const field = String(issue?.path[0] ?? "request");
  return new HttpError(400, `invalid_${field}`, `${field}: ${issue?.message ?? "invalid"}`);
}

export const validationHook: Hook<unknown, any, string, unknown> = (result) => {
  if (!result.success) throw invalidRequest(result.error);
};
