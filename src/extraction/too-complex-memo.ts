import type { Redis } from "ioredis";
import { PipelineError } from "../errors/pipeline-error.ts";
import type { Extractor } from "./extractor.ts";
import { keyspace } from "../redis/keyspace.ts";

/**
 * A PDF that failed pdf_too_complex (past the timeout, or over the text cap) is remembered
 * by SHA-256, in Redis so every process knows it: the same bytes uploaded again fail at
 * once, without taking a thread for another full timeout.
 */
export function rememberTooComplex(inner: Extractor, redis: Redis, prefix: string, ttlS: number): Extractor {
  const key = (sha256: string) => keyspace.tooComplex(prefix, sha256);
  return {
    async extract(req) {
      const known = await redis.get(key(req.sha256));
      if (known) throw new PipelineError("pdf_too_complex", `${known} (this PDF failed the same way before)`);
      try {
        return await inner.extract(req);
      } catch (err) {
        if (err instanceof PipelineError && err.code === "pdf_too_complex") await redis.set(key(req.sha256), err.message, "EX", ttlS).catch(() => {});
        throw err;
      }
    },
  };
}
