import { and, count, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "./client.ts";
import { countLocalJobs, LocalDataUnclaimed, LOCAL_USER, moveLocalData } from "./local-adoption.ts";
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

  /**
   * A new key for userId. adoptLocal moves the single-user mode's data to userId in the same
   * transaction; left undefined while that data exists and this is the first key, it throws
   * LocalDataUnclaimed rather than hide the data behind authentication.
   */
  async create(userId: string, admin: boolean, adoptLocal?: boolean): Promise<{ id: string; key: string; adopted: number }> {
    const key = `folio_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url")}`;
    const id = `k_${crypto.randomUUID()}`;
    return this.db.transaction(async (transaction) => {
      const tx = transaction as unknown as Db;
      const local = userId === LOCAL_USER ? 0 : await countLocalJobs(tx);
      if (local > 0 && adoptLocal === undefined && (await new ApiKeysRepo(tx).count()) === 0) throw new LocalDataUnclaimed(local);
      await tx.insert(apiKeys).values({ id, userId, keyHash: keyDigest(key), admin });
      if (adoptLocal) await moveLocalData(tx, userId);
      return { id, key, adopted: adoptLocal ? local : 0 };
    });
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
