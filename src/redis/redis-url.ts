/**
 * REDIS_URL names one Redis (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS)
 * or a Redis Cluster by its seed nodes: `redis+cluster://[user:password@]host1:7000,host2:7001`
 * (`rediss+cluster://` for TLS). Any reachable nodes will do: the client learns the rest.
 */
export type RedisTarget =
  | { kind: "single"; url: string }
  | { kind: "cluster"; nodes: { host: string; port: number }[]; username?: string; password?: string; tls: boolean };

const CLUSTER = /^(rediss?)\+cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/?$/;

export function parseRedisUrl(raw: string): RedisTarget {
  const cluster = CLUSTER.exec(raw);
  if (cluster) {
    const [, scheme, user, password, hosts] = cluster;
    const nodes = hosts!.split(",").map((hp) => {
      const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(hp.trim());
      if (!m) throw new Error(`a cluster node must be host:port, not ${JSON.stringify(hp)}`);
      return { host: m[1]!, port: Number(m[2]) };
    });
    return {
      kind: "cluster",
      nodes,
      username: user ? decodeURIComponent(user) : undefined,
      password: password ? decodeURIComponent(password) : undefined,
      tls: scheme === "rediss",
    };
  }
  const url = new URL(raw);
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new Error("expected redis://, rediss:// or redis+cluster://host:port,host:port");
  return { kind: "single", url: raw };
}
