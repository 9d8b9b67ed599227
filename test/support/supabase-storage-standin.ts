/**
 * STAND-IN for Supabase Storage (its hosted API is unreachable here): a real HTTP server on
 * 127.0.0.1 that speaks the REST routes supabase-js's storage client calls, with objects
 * kept in a temporary directory. It checks the service key like the real one does. An
 * upload's body is written as it arrives (the test process need not hold gigabytes), and an
 * upload that breaks off stores nothing, as in the real one.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface StorageStandIn {
  url: string;
  /** Every request; a move also names the key the object went to. */
  requests: { method: string; path: string; movedTo?: string }[];
  /** The stored object's bytes, or undefined. */
  object(bucket: string, key: string): Promise<Uint8Array | undefined>;
  stop(): Promise<void>;
}

export function startStorageStandIn(serviceKey: string): StorageStandIn {
  const dir = mkdtempSync(join(tmpdir(), "folio-storage-standin-"));
  const file = (id: string) => Bun.file(join(dir, encodeURIComponent(id)));
  const requests: StorageStandIn["requests"] = [];
  const json = (body: unknown, status = 200) => Response.json(body, { status });
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    maxRequestBodySize: 1024 * 1024 * 1024,
    async fetch(req) {
      const url = new URL(req.url);
      const entry: StorageStandIn["requests"][number] = { method: req.method, path: url.pathname };
      requests.push(entry);
      if (req.headers.get("authorization") !== `Bearer ${serviceKey}`) {
        return json({ statusCode: "403", error: "Unauthorized", message: "invalid signature" }, 403);
      }
      if (req.method === "POST" && url.pathname === "/storage/v1/object/move") {
        const { bucketId, sourceKey, destinationKey } = (await req.json()) as { bucketId: string; sourceKey: string; destinationKey: string };
        entry.movedTo = destinationKey;
        if (!(await file(`${bucketId}/${sourceKey}`).exists())) return json({ statusCode: "404", error: "not_found", message: "Object not found" }, 404);
        if (await file(`${bucketId}/${destinationKey}`).exists()) return json({ statusCode: "409", error: "Duplicate", message: "The resource already exists" }, 409);
        await rename(join(dir, encodeURIComponent(`${bucketId}/${sourceKey}`)), join(dir, encodeURIComponent(`${bucketId}/${destinationKey}`)));
        return json({ message: "Successfully moved" });
      }
      const m = url.pathname.match(/^\/storage\/v1\/object\/([^/]+)(?:\/(.+))?$/);
      if (!m) return json({ statusCode: "404", error: "not_found", message: "route not found" }, 404);
      const [, bucket, key] = m;
      const id = `${bucket}/${key}`;
      if (req.method === "POST" && key) {
        if ((await file(id).exists()) && req.headers.get("x-upsert") !== "true") {
          return json({ statusCode: "409", error: "Duplicate", message: "The resource already exists" }, 409);
        }
        const part = join(dir, `${encodeURIComponent(id)}.${crypto.randomUUID()}.part`);
        const writer = Bun.file(part).writer();
        try {
          // No body at all is an empty object, as Supabase stores it.
          for await (const chunk of req.body ?? []) {
            writer.write(chunk);
            await writer.flush();
          }
          await writer.end();
          if (!(await Bun.file(part).exists())) await Bun.write(part, new Uint8Array(0));
          await rename(part, join(dir, encodeURIComponent(id)));
        } catch {
          await Promise.resolve(writer.end()).catch(() => {});
          await rm(part, { force: true });
          return json({ statusCode: "400", error: "incomplete_body", message: "the upload ended early" }, 400);
        }
        return json({ Id: crypto.randomUUID(), Key: id });
      }
      if ((req.method === "GET" || req.method === "HEAD") && key) {
        if (!(await file(id).exists())) return json({ statusCode: "404", error: "not_found", message: "Object not found" }, 404);
        return new Response(file(id), { headers: { "content-type": "application/pdf" } });
      }
      if (req.method === "DELETE" && !key) {
        const { prefixes } = (await req.json()) as { prefixes: string[] };
        const removed: string[] = [];
        for (const p of prefixes) {
          if (!(await file(`${bucket}/${p}`).exists())) continue;
          await rm(join(dir, encodeURIComponent(`${bucket}/${p}`)));
          removed.push(p);
        }
        return json(removed.map((name) => ({ name, bucket_id: bucket })));
      }
      return json({ statusCode: "400", error: "bad_request", message: "unsupported" }, 400);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    async object(bucket, key) {
      const f = file(`${bucket}/${key}`);
      return (await f.exists()) ? new Uint8Array(await f.arrayBuffer()) : undefined;
    },
    async stop() {
      await server.stop(true);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
