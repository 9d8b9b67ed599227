import type { Socket } from "bun";

/**
 * A TCP proxy the test controls, to put between the service and Postgres (or Redis):
 * `cut()` drops every connection and refuses new ones until `restore()`.
 */
export interface TcpProxy {
  port: number;
  cut(): void;
  restore(): void;
  stop(): void;
}

export function startTcpProxy(targetHost: string, targetPort: number): TcpProxy {
  let open = true;
  const pairs = new Set<{ client: Socket<unknown>; upstream?: Socket<unknown> }>();
  const server = Bun.listen<{ pair: { client: Socket<unknown>; upstream?: Socket<unknown>; buffered: Uint8Array[] } }>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      async open(client) {
        if (!open) {
          client.end();
          return;
        }
        const pair = { client: client as Socket<unknown>, upstream: undefined as Socket<unknown> | undefined, buffered: [] as Uint8Array[] };
        client.data = { pair };
        pairs.add(pair);
        try {
          pair.upstream = await Bun.connect({
            hostname: targetHost,
            port: targetPort,
            socket: {
              data(_s, chunk) {
                client.write(chunk);
              },
              close() {
                client.end();
              },
              error() {
                client.end();
              },
            },
          });
          for (const b of pair.buffered) pair.upstream.write(b);
          pair.buffered = [];
        } catch {
          client.end();
        }
      },
      data(client, chunk) {
        const pair = client.data?.pair;
        if (!pair) return;
        if (pair.upstream) pair.upstream.write(chunk);
        else pair.buffered.push(new Uint8Array(chunk));
      },
      close(client) {
        const pair = client.data?.pair;
        if (!pair) return;
        pair.upstream?.end();
        pairs.delete(pair);
      },
      error(client) {
        client.end();
      },
    },
  });
  return {
    port: server.port,
    cut() {
      open = false;
      for (const p of pairs) {
        p.client.end();
        p.upstream?.end();
      }
      pairs.clear();
    },
    restore() {
      open = true;
    },
    stop() {
      open = false;
      for (const p of pairs) {
        p.client.end();
        p.upstream?.end();
      }
      server.stop(true);
    },
  };
}
