import type { Hook } from "@hono/zod-openapi";
import { HttpError } from "../http-error.ts";

/** A request that fails its schema: 400 with `invalid_<field>` and the first issue, in our error shape. */
export const validationHook: Hook<unknown, any, string, unknown> = (result) => {
  if (result.success) return;
  const issue = result.error.issues[0];
  const field = String(issue?.path[0] ?? "request");
  throw new HttpError(400, `invalid_${field}`, `${field}: ${issue?.message ?? "invalid"}`);
};
