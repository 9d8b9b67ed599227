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

/**
 * Parses a URL Folio is asked to fetch (or POST a webhook to) and refuses what a server
 * should never be made to reach: non-http(s) schemes, and unless `allowPrivate`, any host
 * that resolves to a loopback, private, link-local or otherwise non-public address (SSRF).
 * Every address a name resolves to must be public, so a name with one private record is refused.
 */
export async function checkUrl(raw: string, allowPrivate: boolean): Promise<CheckedUrl> {
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
  if (allowPrivate) return { url };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const literal = ipaddr.isValid(host);
  const addresses = literal ? [host] : await resolve(host);
  const blocked = addresses.find((a) => rangeOf(a) !== "unicast");
  if (blocked !== undefined) {
    throw new UrlRefused(
      "url_not_allowed",
      `${url.hostname} is a ${rangeOf(blocked)} address (${blocked}); set FOLIO_ALLOW_PRIVATE_URLS=1 to fetch from private networks`,
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

async function resolve(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    throw new UrlRefused("invalid_url", `the host ${host} does not resolve`);
  }
}
