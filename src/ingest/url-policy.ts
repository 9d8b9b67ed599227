import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";

/** Why a URL is refused before anything is fetched from it. */
export class UrlRefused extends Error {
  override name = "UrlRefused";
  constructor(
    readonly code: "invalid_url" | "url_not_allowed",
    message: string,
  ) {
    super(message);
  }
}

/** A URL that passed the policy, and (for a name) the checked address to connect to (see pinnedFetch). */
export interface CheckedUrl {
  url: URL;
  address?: string;
}

export interface UrlPolicy {
  /** FOLIO_ALLOW_PRIVATE_URLS: loopback and private networks too. */
  allowPrivate: boolean;
  /** FOLIO_URL_ALLOWED_PORTS: "any", or the ports that may be reached. */
  ports: "any" | readonly number[];
}

/** The policy as the settings spell it. */
export function urlPolicy(cfg: { FOLIO_ALLOW_PRIVATE_URLS: boolean; FOLIO_URL_ALLOWED_PORTS: string }): UrlPolicy {
  const ports = cfg.FOLIO_URL_ALLOWED_PORTS;
  return { allowPrivate: cfg.FOLIO_ALLOW_PRIVATE_URLS, ports: ports === "any" ? "any" : ports.split(",").map(Number) };
}

const DEFAULT_PORT: Record<string, number> = { "http:": 80, "https:": 443 };

/**
 * Parses a URL Folio is asked to fetch (or POST a webhook to) and refuses what a server
 * should never be made to reach: non-http(s) schemes, ports outside the allowed ones, and
 * unless `allowPrivate`, any host that resolves to a loopback, private, link-local or
 * otherwise non-public address (SSRF). Every address a name resolves to must be public, so
 * a name with one private record is refused. A refusal never says what a name resolved to,
 * nor whether it resolved at all: either would map the network behind the service.
 */
export async function checkUrl(raw: string, policy: UrlPolicy): Promise<CheckedUrl> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlRefused("invalid_url", `not a URL: ${JSON.stringify(raw.slice(0, 200))}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UrlRefused("invalid_url", `only http and https URLs can be fetched, not ${url.protocol.replace(/:$/, "")}`);
  }
  try {
    decodeURIComponent(url.pathname);
  } catch {
    throw new UrlRefused("invalid_url", "the URL's path has a malformed percent-escape");
  }
  const port = url.port === "" ? DEFAULT_PORT[url.protocol]! : Number(url.port);
  if (policy.ports !== "any" && !policy.ports.includes(port)) {
    throw new UrlRefused("url_not_allowed", `port ${port} is not allowed; Folio reaches ports ${policy.ports.join(", ")} (FOLIO_URL_ALLOWED_PORTS)`);
  }
  if (policy.allowPrivate) return { url };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const literal = ipaddr.isValid(host);
  const addresses = literal ? [host] : await resolve(host);
  if (addresses === undefined || addresses.some((a) => rangeOf(a) !== "unicast")) {
    throw new UrlRefused(
      "url_not_allowed",
      `${url.hostname} does not resolve to public addresses only; Folio fetches from the public internet (FOLIO_ALLOW_PRIVATE_URLS=1 allows private networks)`,
    );
  }
  return { url, address: literal ? undefined : addresses[0] };
}

/**
 * ipaddr.js's range name, except that an IPv4-compatible IPv6 address (::/96, deprecated,
 * e.g. [::127.0.0.1], which URLs normalise to [::7f00:1]) is not "unicast": it embeds an
 * IPv4 address that some stacks route to.
 */
function rangeOf(address: string): string {
  const ip = ipaddr.process(address);
  const range = ip.range();
  if (range === "unicast" && ip.kind() === "ipv6" && (ip as ipaddr.IPv6).parts.slice(0, 6).every((p) => p === 0)) return "ipv4Compatible";
  return range;
}

async function resolve(host: string): Promise<string[] | undefined> {
  try {
    return (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return undefined;
  }
}
