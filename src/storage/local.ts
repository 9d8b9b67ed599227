import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { privateDir } from "./private-dir.ts";
import { assertStorageKey, type Storage } from "./storage.ts";

const FLUSH_BYTES = 256 * 1024;

export function localStorage(dir: string): Storage {
  const root = privateDir(resolve(dir));
  const path = (key: string) => {
    assertStorageKey(key);
    return join(root, key);
  };
  return {
    kind: "local",
    async put(key, body) {
      const target = path(key);
      const writer = Bun.file(target).writer();
      try {
        // FileSink buffers what it is given: flushing every 256 KiB is what makes a fast upload
        // wait for the disk instead of piling up in memory (backpressure to the socket).
        let buffered = 0;
        for await (const chunk of body) {
          buffered += chunk.byteLength;
          writer.write(chunk);
          if (buffered >= FLUSH_BYTES) {
            await writer.flush();
            buffered = 0;
          }
        }
        await writer.end();
      } catch (err) {
        await Promise.resolve(writer.end()).catch(() => {});
        await rm(target, { force: true });
        throw err;
      }
    },
    async get(key) {
      const file = Bun.file(path(key));
      if (!(await file.exists())) return undefined;
      return new Uint8Array(await file.arrayBuffer());
    },
    async delete(key) {
      await rm(path(key), { force: true });
    },
  };
}
