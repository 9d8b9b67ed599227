import { rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { writeStreamToFile } from "./file-sink.ts";
import { privateDir } from "./private-dir.ts";
import { assertStorageKey, type Storage } from "./storage.ts";

export function localStorage(dir: string): Storage {
  const root = privateDir(resolve(dir));
  const path = (key: string) => {
    assertStorageKey(key);
    return join(root, key);
  };
  return {
    kind: "local",
    async put(key, body) {
      await writeStreamToFile(path(key), body);
    },
    async get(key) {
      const file = Bun.file(path(key));
      if (!(await file.exists())) return undefined;
      return new Uint8Array(await file.arrayBuffer());
    },
    async delete(key) {
      await rm(path(key), { force: true });
    },
    async exists(key) {
      return Bun.file(path(key)).exists();
    },
    async move(from, to) {
      await rename(path(from), path(to));
    },
  };
}
