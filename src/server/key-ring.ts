import type { Redis } from "ioredis";
import type { ApiKeysRepo } from "../../db/api-keys-repo.ts";
import { HttpError } from "./http-error.ts";
import type { Principal } from "./middleware/identity/index.ts";

export interface KeyRingOptions {
  /** How often the number of database keys is re-read (auth turns on or off within this). */
  refreshMs: number;
  /** How long a key found in the database is trusted without asking again (a revocation takes this long). */
  positiveTtlMs: number;
  /** How long a key not found is refused without asking the database. */
  negativeTtlMs: number;
  /** Failed authentications a client address may make per minute, counted in Redis across servers. */
  failuresPerMinute: number;
}

const MAX_CACHED = 10_000;

/**
 * The database's API keys as every request sees them, without a query per request: whether
 * any key exists (so creating the first key turns auth on, on every server, within
 * `refreshMs`), lookups cached both ways, and a per-address limit on failed attempts, so
 * guessing keys costs the guesser and not the database.
 */
export class KeyRing {
  private dbKeys = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly cache = new Map<string, { principal: Principal | undefined; until: number }>();

  constructor(
    private readonly repo: ApiKeysRepo,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly envKeys: number,
    private readonly opts: KeyRingOptions,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => {}), this.opts.refreshMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    this.dbKeys = await this.repo.count();
  }

  /** False only in single-user mode: no key in the environment or the database. */
  required(): boolean {
    return this.envKeys > 0 || this.dbKeys > 0;
  }

  async lookup(key: string): Promise<Principal | undefined> {
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.principal;
    const principal = await this.repo.find(key);
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(key, { principal, until: Date.now() + (principal ? this.opts.positiveTtlMs : this.opts.negativeTtlMs) });
    return principal;
  }

  /** Forgets what was cached: a key created or revoked through this server counts at once here. */
  forget(): void {
    this.cache.clear();
  }

  private failureKey(address: string) {
    return `${this.prefix}:authfail:${address}:${Math.floor(Date.now() / 60_000)}`;
  }

  /** Refuses an address that failed too often this minute, before its key is even looked at. */
  async checkAddress(address: string): Promise<void> {
    const failed = Number(await this.redis.get(this.failureKey(address)));
    if (failed >= this.opts.failuresPerMinute) {
      const retry = 60 - Math.floor((Date.now() % 60_000) / 1000);
      throw new HttpError(429, "too_many_auth_failures", `too many failed authentications from this address; try again in ${retry} s`, { "retry-after": String(retry) });
    }
  }

  async recordFailure(address: string): Promise<void> {
    const key = this.failureKey(address);
    await this.redis.multi().incr(key).expire(key, 120).exec();
  }
}
