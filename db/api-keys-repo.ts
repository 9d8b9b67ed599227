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
      if (local > 0 && adoptLocal === undefined && (await new ApiKeysRepo(tx).everCreated()) === 0) throw new LocalDataUnclaimed(local);
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

  /** Keys ever made, revoked ones too: once there was one, the service keeps asking for keys. */
  async everCreated(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(apiKeys);
    return row?.n ?? 0;
  }

  async list(): Promise<ApiKeyInfo[]> {
    return this.db
      .select({ id: apiKeys.id, userId: apiKeys.userId, admin: apiKeys.admin, createdAt: apiKeys.createdAt, revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .orderBy(desc(apiKeys.createdAt));
  }

  /**
   * Revokes a key: when it was revoked (revoking twice keeps the first time), "not_found", or
   * "last_admin" when it is the last active admin key and `adminsElsewhere` is false, since
   * nobody could then manage keys over HTTP. The active admin rows are locked first, so two
   * admins revoking each other at once cannot both succeed.
   */
  async revoke(id: string, adminsElsewhere: boolean): Promise<Date | "not_found" | "last_admin"> {
    return this.db.transaction(async (tx) => {
      const admins = await tx
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(and(eq(apiKeys.admin, true), isNull(apiKeys.revokedAt)))
        .for("update");
      const [row] = await tx.select({ revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.id, id));
      if (!row) return "not_found";
      if (row.revokedAt) return row.revokedAt;
      if (!adminsElsewhere && admins.length === 1 && admins[0]!.id === id) return "last_admin";
      const [done] = await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id)).returning({ revokedAt: apiKeys.revokedAt });
      return done!.revokedAt!;
    });
  }
}
