/** What the pool knows of an extraction when it chooses what runs next. */
export interface Claim {
  userId: string;
  /** Known to have more than FOLIO_EXTRACT_LARGE_PAGES pages (learnt when a thread opened it). */
  large: boolean;
}

/**
 * Which waiting extraction a free thread takes (its index, or -1 for none), first come
 * first served within two rules that keep one kind of work from taking the whole pool of
 * `threads` (N): at most N−1 threads on large PDFs, and, with several users
 * (`perUser`), at most N−1 threads for one user, so that another user's PDF never waits
 * behind one user's slow ones (threads cannot be taken back from a PDF once it is read).
 * With one thread there is nothing to share.
 */
export function pickNext(waiting: readonly Claim[], running: readonly Claim[], threads: number, perUser = true): number {
  if (threads < 2) return waiting.length > 0 ? 0 : -1;
  const cap = threads - 1;
  const largeBusy = running.filter((r) => r.large).length;
  const held = new Map<string, number>();
  for (const r of running) held.set(r.userId, (held.get(r.userId) ?? 0) + 1);
  return waiting.findIndex((c) => (!c.large || largeBusy < cap) && (!perUser || (held.get(c.userId) ?? 0) < cap));
}

/** Whether a thread that has just opened a large PDF may go on reading it. */
export function mayReadLarge(running: readonly Claim[], threads: number): boolean {
  return threads < 2 || running.filter((r) => r.large).length < threads - 1;
}
