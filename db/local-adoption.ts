import { count, eq } from "drizzle-orm";
import type { Db } from "./client.ts";
import { files, jobs, notes, webhookSecrets } from "./schema.ts";

/** Who owns what is made in single-user mode (no API key anywhere). */
export const LOCAL_USER = "local";

/**
 * The first API key turns authentication on, and from then on nobody is `local`: what was
 * made before would become unreachable without a word. Creating that key therefore needs
 * an answer about it: adopt (move it to the key's user) or leave it.
 */
export class LocalDataUnclaimed extends Error {
  override name = "LocalDataUnclaimed";
  constructor(readonly jobs: number) {
    super(
      `${jobs} job${jobs === 1 ? "" : "s"} made in single-user mode belong${jobs === 1 ? "s" : ""} to user "${LOCAL_USER}", whom no API key reaches: ` +
        "adopt them for this key's user (adoptLocal: true, --adopt-local) or leave them (adoptLocal: false, --no-adopt-local)",
    );
  }
}

export async function countLocalJobs(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(jobs).where(eq(jobs.userId, LOCAL_USER));
  return row?.n ?? 0;
}

/** Makes the local user's jobs, notes, files and webhook secret userId's (inside the caller's transaction). */
export async function moveLocalData(tx: Db, userId: string): Promise<void> {
  await tx.update(jobs).set({ userId }).where(eq(jobs.userId, LOCAL_USER));
  await tx.update(notes).set({ userId }).where(eq(notes.userId, LOCAL_USER));
  await tx.update(files).set({ userId }).where(eq(files.userId, LOCAL_USER));
  // The receiver was set up with local's secret: it keeps verifying, replacing any the user had.
  const [secret] = await tx.select({ userId: webhookSecrets.userId }).from(webhookSecrets).where(eq(webhookSecrets.userId, LOCAL_USER));
  if (secret) {
    await tx.delete(webhookSecrets).where(eq(webhookSecrets.userId, userId));
    await tx.update(webhookSecrets).set({ userId }).where(eq(webhookSecrets.userId, LOCAL_USER));
  }
}
