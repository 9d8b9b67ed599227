import type { Redis } from "ioredis";
import type { ExtractedText } from "../extraction/extract.ts";
import { keyspace } from "../redis/keyspace.ts";

/**
 * The staged path hands extracted text from pdf-extract to ai-notes through Redis, keyed
 * by the PDF's text key (src/cache/cache-keys.ts), so job payloads stay small and one
 * extraction serves duplicates.
 */
export class TextStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private key(key: string): string {
    return keyspace.text(this.prefix, key);
  }

  async put(key: string, text: ExtractedText): Promise<void> {
    await this.redis.set(this.key(key), JSON.stringify(text), "EX", this.ttlSeconds);
  }

  async has(key: string): Promise<boolean> {
    return (await this.redis.exists(this.key(key))) === 1;
  }

  async get(key: string): Promise<ExtractedText | undefined> {
    const raw = await this.redis.get(this.key(key));
    return raw ? (JSON.parse(raw) as ExtractedText) : undefined;
  }
}
