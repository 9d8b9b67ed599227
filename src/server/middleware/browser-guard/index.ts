import { createMiddleware } from "hono/factory";
import { isLoopback, peerAddress } from "../../client-address.ts";
import { HttpError } from "../../http-error.ts";

const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface BrowserGuardOptions {
  /** Single-user mode (no keys): nobody authenticates, so only the peer and the Host header tell a local request from another. */
  singleUser: () => boolean;
}

/**
 * What keeps a web page the user happens to visit away from a Folio on their machine.
 * In single-user mode, only loopback peers with loopback Host values are answered: DNS
 * rebinding makes a browser send the attacker's name, and the peer rule holds even if the
 * server listens on every interface (the Host header is the client's to choose). On every route, a state-changing request that a
 * browser marks as coming from another site (Sec-Fetch-Site, or an Origin that is not
 * this service's) is refused: a cross-site form POST needs no preflight. Clients that
 * send neither header (curl, the CLI, SDKs) are not browsers and pass, which is why this
 * is not hono/csrf, which refuses them.
 */
export const browserGuard = (opts: BrowserGuardOptions) =>
  createMiddleware(async (c, next) => {
    if (opts.singleUser() && !(LOOPBACK_HOST.test(c.req.header("host") ?? "") && isLoopback(peerAddress(c)))) {
      throw new HttpError(403, "host_not_allowed", "without API keys Folio answers only to clients on this machine at localhost, 127.0.0.1 and [::1]");
    }
    if (!SAFE_METHODS.has(c.req.method)) {
      const site = c.req.header("sec-fetch-site");
      const origin = c.req.header("origin");
      const crossSite = (site !== undefined && site !== "same-origin" && site !== "none") || (origin !== undefined && origin !== new URL(c.req.url).origin);
      if (crossSite) throw new HttpError(403, "cross_site_request", "a browser sent this from another site; Folio refuses cross-site requests that change state");
    }
    await next();
  });
