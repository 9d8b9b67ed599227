import { count, eq, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { blobs, files } from "./schema.ts";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export interface NewBlob {
  key: string;
  sha256: string;
  size: number;
  /** Puts the object at `key` (moves the upload's temporary object there); called only when no copy is stored yet. */
  place(): Promise<void>;
  /** Whether the object at `key` is there (a store wiped or swapped under the database loses it). */
  present(): Promise<boolean>;
}

/**
 * Uploads and deletions of the same content take turns on a lock on its key, held to the end
 * of their transaction, across processes: an upload that finds the blob row references an
 * object no deletion is removing, and a deletion that finds no reference left removes the
 * object before any upload can see the row gone.
 */
const lock = (tx: Tx, key: string) => tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`);

/**
 * The blob for an upload, stored by `place` when new, or when its row outlived its object:
 * true when this upload's object became the stored copy.
 */
export async function claimBlob(tx: Tx, blob: NewBlob): Promise<boolean> {
  await lock(tx, blob.key);
  const [found] = await tx.select({ key: blobs.key }).from(blobs).where(eq(blobs.key, blob.key));
  if (found && (await blob.present())) return false;
  await blob.place();
  if (!found) await tx.insert(blobs).values({ key: blob.key, sha256: blob.sha256, size: blob.size });
  return true;
}

/**
 * Called in the transaction that deleted files rows with this storage key. A blob's object
 * goes with its last reference (`drop`, under the lock); a key that is not a blob's (a file
 * of its own, as an upload by URL has) is answered, for the caller to delete.
 */
export async function releaseBlob(tx: Tx, key: string, drop: (key: string) => Promise<void>): Promise<string | undefined> {
  await lock(tx, key);
  const [blob] = await tx.select({ key: blobs.key }).from(blobs).where(eq(blobs.key, key));
  if (!blob) return key;
  const [refs] = await tx.select({ n: count() }).from(files).where(eq(files.storageKey, key));
  if ((refs?.n ?? 0) > 0) return undefined;
  await tx.delete(blobs).where(eq(blobs.key, key));
  await drop(key);
  return undefined;
}

/** Runs `act` under the lock on `key` when `expired` still holds there (the sweep's recheck); false when it no longer does. */
async function whenStillExpired(tx: Tx, key: string, expired: () => Promise<boolean>, act: () => Promise<boolean>): Promise<boolean> {
  await lock(tx, key);
  return (await expired()) && act();
}

/**
 * The retention sweep's end of a blob: under the same lock as uploads and deletions, and only
 * when `expired` still holds there (no job in flight or kept needs it, no upload has just
 * claimed it), the object goes (`drop`) with its row. The files rows stay, marked expired, so an
 * upload of the same PDF stores it again; a job that needs it before then fails source_expired.
 */
export function expireBlob(tx: Tx, key: string, expired: () => Promise<boolean>, drop: (key: string) => Promise<void>): Promise<boolean> {
  return whenStillExpired(tx, key, expired, async () => {
    const gone = await tx.delete(blobs).where(eq(blobs.key, key)).returning({ key: blobs.key });
    if (!gone.length) return false;
    await tx.update(files).set({ expiredAt: sql`now()` }).where(eq(files.storageKey, key));
    await drop(key);
    return true;
  });
}

/**
 * The sweep's end of a file of its own (an upload by URL keeps one): the object goes, and the
 * row, which its job still reads, is marked so later sweeps pass it by. Dropped before it is
 * marked, so a sweep killed in between drops it again (a missing object is no error).
 */
export function expireOwnFile(tx: Tx, fileId: string, key: string, expired: () => Promise<boolean>, drop: (key: string) => Promise<void>): Promise<boolean> {
  return whenStillExpired(tx, key, expired, async () => {
    await drop(key);
    await tx.update(files).set({ expiredAt: sql`now()` }).where(eq(files.id, fileId));
    return true;
  });
}
