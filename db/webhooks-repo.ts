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

  /** The user's secret, and until when the one it replaced still signs deliveries (null once that has passed). */
  async current(userId: string): Promise<{ secret: string; previousValidUntil: Date | null }> {
    const secret = await this.secretFor(userId);
    const [row] = await this.db.select({ until: webhookSecrets.previousUntil }).from(webhookSecrets).where(eq(webhookSecrets.userId, userId));
    const until = row?.until && row.until.getTime() > Date.now() ? row.until : null;
    return { secret, previousValidUntil: until };
  }

  /** The secrets a delivery is signed with now: the current one, and the previous one during its grace period. */
  async signingSecrets(userId: string): Promise<string[]> {
    const current = await this.secretFor(userId);
    const [row] = await this.db
      .select({ previous: webhookSecrets.previousSecret, until: webhookSecrets.previousUntil })
      .from(webhookSecrets)
      .where(eq(webhookSecrets.userId, userId));
    return row?.previous && row.until && row.until.getTime() > Date.now() ? [current, row.previous] : [current];
  }

  /**
   * A new secret; the one it replaces stays valid (deliveries carry both signatures) for
   * `graceS`, so receivers can switch over and retried deliveries still verify.
   */
  async rotate(userId: string, graceS: number): Promise<{ secret: string; previousUntil: Date }> {
    const old = await this.secretFor(userId);
    const secret = newSecret();
    const previousUntil = new Date(Date.now() + graceS * 1000);
    await this.db
      .update(webhookSecrets)
      .set({ secret, previousSecret: old, previousUntil, createdAt: new Date() })
      .where(eq(webhookSecrets.userId, userId));
    return { secret, previousUntil };
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
