import { createMiddleware } from "hono/factory";

export type AppEnv = { Variables: { userId: string } };

/**
 * Who is asking. With no API keys configured Folio is a single-user service bound to
 * loopback (see README), and every request acts as the user "local".
 */
export const identity = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    c.set("userId", "local");
    await next();
  });
