import type { Context } from "hono";
import { getConnInfo } from "hono/bun";
import ipaddr from "ipaddr.js";
import type { Cidr } from "../net/cidrs.ts";

/** The socket's peer as Bun reports it (`server.requestIP`), never a header. */
export function peerAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address ?? undefined;
  } catch {
    return undefined;
  }
}

function parse(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  // ipaddr.process turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1, as dual-stack sockets report) into IPv4.
  return ipaddr.isValid(address) ? ipaddr.process(address) : undefined;
}

/** 127.0.0.0/8 and ::1 (and their IPv4-mapped forms): a client on this machine. */
export function isLoopback(address: string | undefined): boolean {
  const ip = address === undefined ? undefined : parse(address);
  return ip?.range() === "loopback";
}

function within(ip: ipaddr.IPv4 | ipaddr.IPv6, cidrs: Cidr[]): boolean {
  return cidrs.some(([net, bits]) => net.kind() === ip.kind() && ip.match([net, bits] as never));
}

/**
 * The client a request comes from, as a throttle should count it. Behind a trusted proxy the
 * socket's peer is the proxy, so X-Forwarded-For is read from the right, skipping the trusted
 * hops: the first untrusted address is the one a client could not forge (entries to its
 * left are whatever the client sent). An IPv6 client is counted by its /64, the block one
 * subscriber gets, since rotating addresses inside it is free.
 */
export function clientKey(peer: string | undefined, forwardedFor: string | undefined, trusted: Cidr[]): string {
  let ip = peer === undefined ? undefined : parse(peer);
  if (ip && forwardedFor && within(ip, trusted)) {
    const hops = forwardedFor.split(",").map((s) => s.trim());
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = parse(hops[i]!);
      if (!hop) break;
      ip = hop;
      if (!within(hop, trusted)) break;
    }
  }
  if (!ip) return "unknown";
  if (ip.kind() === "ipv6") {
    const parts = (ip as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
    return `${parts.join(":")}::/64`;
  }
  return ip.toString();
}
