/**
 * STAND-IN for Supabase Storage (its hosted API is unreachable here): a real HTTP server on
 * 127.0.0.1 that speaks the REST routes supabase-js's storage client calls, with bytes kept
 * in memory. It checks the service key like the real one does.
 */
export interface StorageStandIn {
  url: string;
  objects: Map<string, Uint8Array<ArrayBuffer>>;
  requests: { method: string; path: string }[];
  stop(): Promise<void>;
}

export function startStorageStandIn(serviceKey: string): StorageStandIn {
  const objects = new Map<string, Uint8Array<ArrayBuffer>>();
  const requests: { method: string; path: string }[] = [];
  const json = (body: unknown, status = 200) => Response.json(body, { status });
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      requests.push({ method: req.method, path: url.pathname });
      if (req.headers.get("authorization") !== `Bearer ${serviceKey}`) {
        return json({ statusCode: "403", error: "Unauthorized", message: "invalid signature" }, 403);
      }
      const m = url.pathname.match(/^\/storage\/v1\/object\/([^/]+)(?:\/(.+))?$/);
      if (!m) return json({ statusCode: "404", error: "not_found", message: "route not found" }, 404);
      const [, bucket, key] = m;
      const id = `${bucket}/${key}`;
      if (req.method === "POST" && key) {
        if (objects.has(id) && req.headers.get("x-upsert") !== "true") {
          return json({ statusCode: "409", error: "Duplicate", message: "The resource already exists" }, 409);
        }
        objects.set(id, new Uint8Array(await req.arrayBuffer()));
        return json({ Id: crypto.randomUUID(), Key: id });
      }
      if (req.method === "GET" && key) {
        const bytes = objects.get(id);
        if (!bytes) return json({ statusCode: "404", error: "not_found", message: "Object not found" }, 404);
        return new Response(bytes, { headers: { "content-type": "application/pdf" } });
      }
      if (req.method === "DELETE" && !key) {
        const { prefixes } = (await req.json()) as { prefixes: string[] };
        const removed = prefixes.filter((p) => objects.delete(`${bucket}/${p}`));
        return json(removed.map((name) => ({ name, bucket_id: bucket })));
      }
      return json({ statusCode: "400", error: "bad_request", message: "unsupported" }, 400);
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, objects, requests, stop: () => server.stop(true) };
}
