import ipaddr from "ipaddr.js";

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Comma-separated CIDRs or single addresses (FOLIO_TRUSTED_PROXIES). Throws on a malformed entry. */
export function parseCidrs(spec: string | undefined): Cidr[] {
  if (!spec) return [];
  return spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      if (entry.includes("/")) return ipaddr.parseCIDR(entry) as Cidr;
      const ip = ipaddr.process(entry);
      return [ip, ip.kind() === "ipv4" ? 32 : 128] as Cidr;
    });
}

