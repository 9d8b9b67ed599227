import { count, eq } from "drizzle-orm";
import type { Db } from "./client.ts";
import { apiKeys } from "./schema.ts";

export const keyDigest = (key: string) => new Bun.CryptoHasher("sha256").update(key).digest("hex");

/** API keys kept in the database, hashed; the plain key is shown once, when it is created. */
export class ApiKeysRepo {
  constructor(private readonly db: Db) {}

  async create(userId: string, admin: boolean): Promise<string> {
    const key = `folio_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url")}`;
    await this.db.insert(apiKeys).values({ id: `k_${crypto.randomUUID()}`, userId, keyHash: keyDigest(key), admin });
    return key;
  }

  async find(key: string): Promise<{ userId: string; admin: boolean } | undefined> {
    const [row] = await this.db
      .select({ userId: apiKeys.userId, admin: apiKeys.admin })
      .from(apiKeys)
      .where(eq(apiKeys.keyHash, keyDigest(key)));
    return row;
  }

  async count(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(apiKeys);
    return row?.n ?? 0;
  }
}
