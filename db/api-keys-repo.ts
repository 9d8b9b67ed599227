import { and, count, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "./client.ts";
import { apiKeys } from "./schema.ts";

export const keyDigest = (key: string) => new Bun.CryptoHasher("sha256").update(key).digest("hex");

export interface ApiKeyInfo {
  id: string;
  userId: string;
  admin: boolean;
  createdAt: Date;
  revokedAt: Date | null;
}

/** API keys kept in the database, hashed; the plain key is shown once, when it is created. */
export class ApiKeysRepo {
  constructor(private readonly db: Db) {}

  async create(userId: string, admin: boolean): Promise<{ id: string; key: string }> {
    const key = `folio_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url")}`;
    const id = `k_${crypto.randomUUID()}`;
    await this.db.insert(apiKeys).values({ id, userId, keyHash: keyDigest(key), admin });
    return { id, key };
  }

  async find(key: string): Promise<{ userId: string; admin: boolean } | undefined> {
    const [row] = await this.db
      .select({ userId: apiKeys.userId, admin: apiKeys.admin })
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, keyDigest(key)), isNull(apiKeys.revokedAt)));
    return row;
  }

  /** Keys that let someone in (revoked ones do not count). */
  async count(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(apiKeys).where(isNull(apiKeys.revokedAt));
    return row?.n ?? 0;
  }

  async list(): Promise<ApiKeyInfo[]> {
    return this.db
      .select({ id: apiKeys.id, userId: apiKeys.userId, admin: apiKeys.admin, createdAt: apiKeys.createdAt, revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .orderBy(desc(apiKeys.createdAt));
  }

  /** Revokes a key; undefined when there is no such key. Revoking twice keeps the first time. */
  async revoke(id: string): Promise<Date | undefined> {
    await this.db.update(apiKeys).set({ revokedAt: new Date() }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
    const [row] = await this.db.select({ revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.id, id));
    return row?.revokedAt ?? undefined;
  }
}
