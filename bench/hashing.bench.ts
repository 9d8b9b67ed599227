import { createHash } from "node:crypto";
import { hashingStream } from "../src/ingest/upload-guard.ts";
import type { BenchSuite, Comparison } from "./lib/comparison.ts";

/** The upload path hashes while the body streams to storage in 64 KiB chunks, as a request body arrives. */
function chunked(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(c) {
      if (offset >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(offset, (offset += 64 * 1024)));
    },
  });
}

async function projectPath(bytes: Uint8Array): Promise<string> {
  const h = hashingStream(chunked(bytes), Number.MAX_SAFE_INTEGER);
  const reader = h.stream.getReader();
  while (!(await reader.read()).done);
  return (await h.result).sha256;
}

export const hashing: BenchSuite = {
  name: "hashing",
  async setup(short) {
    const sizes = short ? [1] : [1, 20];
    const out: Comparison[] = [];
    for (const mib of sizes) {
      const bytes = new Uint8Array(mib * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24);
      bytes.set(new TextEncoder().encode("%PDF-"));
      out.push({
        name: `sha256 ${mib} MiB: upload path vs Bun.CryptoHasher`,
        project: () => projectPath(bytes),
        reference: () => new Bun.CryptoHasher("sha256").update(bytes).digest("hex"),
        against: "Bun.CryptoHasher",
        target: 0.9,
      });
      if (!short) {
        out.push({
          name: `sha256 ${mib} MiB: upload path vs node:crypto`,
          project: () => projectPath(bytes),
          reference: () => createHash("sha256").update(bytes).digest("hex"),
          against: "node:crypto",
        });
      }
    }
    return out;
  },
};
