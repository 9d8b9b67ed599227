import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { files } from "./schema.ts";

/** What a user stores, for quotas and GET /me/usage. */
export class UsageRepo {
  constructor(private readonly db: Db) {}

  /** Bytes of the PDFs the user's files reference, each stored copy once. */
  async storedBytes(userId: string): Promise<number> {
    const copies = this.db
      .selectDistinct({ key: files.storageKey, size: files.size })
      .from(files)
      .where(and(eq(files.userId, userId), isNotNull(files.size)))
      .as("copies");
    const [row] = await this.db.select({ bytes: sql<string | null>`sum(${copies.size})::text` }).from(copies);
    return Number(row?.bytes ?? 0);
  }

  /** Whether the user references this stored copy already (a repeat upload stores nothing new). */
  async holds(userId: string, storageKey: string): Promise<boolean> {
    return (await this.db.$count(files, and(eq(files.userId, userId), eq(files.storageKey, storageKey)))) > 0;
  }
}
