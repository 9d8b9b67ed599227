import type { Redis } from "ioredis";
import type { ExtractedText } from "./extract.ts";

/**
 * The staged path hands extracted text from pdf-extract to ai-notes through Redis, keyed
 * by the PDF's SHA-256, so job payloads stay small and one extraction serves duplicates.
 */
export class TextStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private key(sha256: string): string {
    return `${this.prefix}:text:${sha256}`;
  }

  async put(sha256: string, text: ExtractedText): Promise<void> {
    await this.redis.set(this.key(sha256), JSON.stringify(text), "EX", this.ttlSeconds);
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.redis.exists(this.key(sha256))) === 1;
  }

  async get(sha256: string): Promise<ExtractedText | undefined> {
    const raw = await this.redis.get(this.key(sha256));
    return raw ? (JSON.parse(raw) as ExtractedText) : undefined;
  }
}
