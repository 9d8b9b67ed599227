import { checkServerIdentity, type PeerCertificate } from "node:tls";

/**
 * fetch() that connects to `address`, the one checkUrl approved, while still speaking to
 * the URL's host (Host header, TLS server name and certificate check): a second DNS lookup,
 * which could answer with a private address (DNS rebinding), never happens. Without an
 * address (an IP literal, or FOLIO_ALLOW_PRIVATE_URLS) it is plain fetch().
 */
export function pinnedFetch(url: URL, address: string | undefined, init: RequestInit = {}): Promise<Response> {
  if (!address) return fetch(url, init);
  const target = new URL(url);
  target.hostname = address.includes(":") ? `[${address}]` : address;
  const headers = new Headers(init.headers);
  headers.set("host", url.host);
  if (url.protocol !== "https:") return fetch(target, { ...init, headers });
  const tls = {
    serverName: url.hostname,
    checkServerIdentity: (_connected: string, cert: PeerCertificate) => checkServerIdentity(url.hostname, cert),
  };
  return fetch(target, { ...init, headers, tls } as RequestInit);
}
