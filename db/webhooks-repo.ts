import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { jobs, notes, webhookSecrets, type JobRow, type NotesRow } from "./schema.ts";

const newSecret = () => `whsec_${randomBytes(24).toString("base64url")}`;

/** Webhook secrets per user, and what a delivery reads and records. */
export class WebhooksRepo {
  constructor(private readonly db: Db) {}

  /** The user's signing secret, made on first use. */
  async secretFor(userId: string): Promise<string> {
    await this.db.insert(webhookSecrets).values({ userId, secret: newSecret() }).onConflictDoNothing();
    const [row] = await this.db.select({ secret: webhookSecrets.secret }).from(webhookSecrets).where(eq(webhookSecrets.userId, userId));
    return row!.secret;
  }

  async rotate(userId: string): Promise<string> {
    const secret = newSecret();
    await this.db
      .insert(webhookSecrets)
      .values({ userId, secret })
      .onConflictDoUpdate({ target: webhookSecrets.userId, set: { secret, createdAt: new Date() } });
    return secret;
  }

  async delivery(jobId: string): Promise<{ job: JobRow; notes: NotesRow | undefined } | undefined> {
    const [job] = await this.db.select().from(jobs).where(eq(jobs.id, jobId));
    if (!job) return undefined;
    const [row] = job.notesId ? await this.db.select().from(notes).where(eq(notes.id, job.notesId)) : [];
    return { job, notes: row };
  }

  async recordAttempt(jobId: string, status: "pending" | "delivered" | "failed"): Promise<void> {
    await this.db
      .update(jobs)
      .set({ callbackStatus: status, callbackAttempts: sql`${jobs.callbackAttempts} + 1` })
      .where(eq(jobs.id, jobId));
  }
}
