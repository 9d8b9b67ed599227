import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import { keyDigest, type ApiKeysRepo } from "../../db/api-keys-repo.ts";
import { countInMinute } from "./minute-window.ts";
import type { Principal } from "./middleware/identity/index.ts";
import { keyspace } from "../redis/keyspace.ts";

export interface KeyRingOptions {
  /** How often the database's keys are re-counted (auth turns on within this). */
  refreshMs: number;
  /** How long a key found in the database is trusted without asking again (a revocation takes this long). */
  positiveTtlMs: number;
  /** How long a key not found is refused without asking the database. */
  negativeTtlMs: number;
  /** Failed authentications a client may make per minute, counted in Redis across servers. */
  failuresPerMinute: number;
  /** Keys remembered each way (found, not found). */
  maxCached?: number;
}

/**
 * The database's API keys as every request sees them, without a query per request: whether
 * any key was ever made (so creating the first key turns auth on, on every server, within
 * `refreshMs`, and revoking keys never turns it off again), lookups cached both ways, and a
 * per-client limit on failed attempts, so guessing keys costs the guesser and not the database.
 */
export class KeyRing {
  private everHadKeys = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  // Apart and keyed by digest: a flood of wrong keys evicts only other wrong keys, and no plain key sits in memory.
  private readonly known: LRUCache<string, Principal>;
  private readonly unknown: LRUCache<string, true>;

  constructor(
    private readonly repo: ApiKeysRepo,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly envKeys: number,
    private readonly opts: KeyRingOptions,
  ) {
    this.known = new LRUCache({ max: opts.maxCached ?? 10_000, ttl: opts.positiveTtlMs });
    this.unknown = new LRUCache({ max: opts.maxCached ?? 10_000, ttl: opts.negativeTtlMs });
  }

  async start(): Promise<void> {
    await this.refresh();
    if (!this.everHadKeys) this.timer = setInterval(() => void this.refresh().catch(() => {}), this.opts.refreshMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    // Once on, auth stays on for this process: a count that drops back to zero is a deleted table, not a wish.
    this.everHadKeys ||= (await this.repo.everCreated()) > 0;
    // Auth never turns off again: nothing is left to poll the database for.
    if (this.everHadKeys) this.stop();
  }

  /** False only in single-user mode: no key in the environment, and none ever made in the database. */
  required(): boolean {
    return this.envKeys > 0 || this.everHadKeys;
  }

  async lookup(key: string): Promise<Principal | undefined> {
    const digest = keyDigest(key);
    const hit = this.known.get(digest);
    if (hit) return hit;
    if (this.unknown.get(digest)) return undefined;
    const principal = await this.repo.find(key);
    if (principal) this.known.set(digest, principal);
    else this.unknown.set(digest, true);
    return principal;
  }

  /** Forgets what was cached: a key created or revoked through this server counts at once here. */
  forget(): void {
    this.known.clear();
    this.unknown.clear();
  }

  /**
   * Counts a failed authentication against the client; past the limit the answer is 429
   * instead of 401. Only failures count, after the key was checked: a good key is never
   * throttled because others at the same address guessed.
   */
  recordFailure(client: string): Promise<void> {
    return countInMinute(this.redis, keyspace.authFailures(this.prefix, client), this.opts.failuresPerMinute, "too_many_auth_failures", (retry) => `too many failed authentications from this address; try again in ${retry} s`);
  }
}
