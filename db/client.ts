import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { sql, type SQL } from "drizzle-orm";
import * as schema from "./schema.ts";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /** Runs raw SQL and returns its rows and the number of rows it changed, whatever the driver. */
  run<T = Record<string, unknown>>(query: SQL): Promise<{ rows: T[]; changed: number }>;
  ping(): Promise<void>;
  /** Throws unless every committed migration is recorded as applied. */
  checkMigrations(): Promise<void>;
  close(): Promise<void>;
}

const MIGRATIONS = resolve(import.meta.dir, "migrations");

async function expectedMigrations(): Promise<number> {
  const journal = (await Bun.file(resolve(MIGRATIONS, "meta/_journal.json")).json()) as { entries: unknown[] };
  return journal.entries.length;
}

const APPLIED = sql`select count(*)::int as n from drizzle.__drizzle_migrations`;

function migrationsChecker(run: Database["run"]) {
  return async () => {
    const [expected, { rows }] = await Promise.all([expectedMigrations(), run<{ n: number }>(APPLIED)]);
    if ((rows[0]?.n ?? 0) < expected) throw new Error(`${rows[0]?.n ?? 0} of ${expected} migrations applied`);
  };
}

export interface DbOptions {
  url?: string;
  pgliteDir?: string;
  poolSize?: number;
}

/**
 * Opens the database and applies the committed migrations. PGlite is one in-process
 * Postgres: exactly one thread of one process may open a given data dir.
 */
export async function openDatabase(opts: DbOptions): Promise<Database> {
  return opts.url ? openPostgres(opts.url, opts.poolSize ?? 10) : openPglite(opts.pgliteDir ?? "./data/pglite");
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  await migrateUnderLock(url);
  const client = postgres(url, { max, onnotice: () => {}, connect_timeout: 10 });
  const db = drizzle({ client, schema });
  const run: Database["run"] = async <T>(query: SQL) => {
    const res = await db.execute(query);
    return { rows: [...res] as T[], changed: res.count ?? 0 };
  };
  return {
    db: db as unknown as Db,
    kind: "postgres",
    run,
    checkMigrations: migrationsChecker(run),
    async ping() {
      await client`select 1`;
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * Any number of servers and workers may start at once on an empty database: the first to
 * take this session-level advisory lock applies the migrations, the others wait for it
 * and then find nothing left to do. One connection, so the lock and the migrations share
 * a session.
 */
async function migrateUnderLock(url: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const session = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await session`select pg_advisory_lock(hashtext('folio:migrations'))`;
    await migrate(drizzle({ client: session }), { migrationsFolder: MIGRATIONS });
  } finally {
    await session`select pg_advisory_unlock(hashtext('folio:migrations'))`.catch(() => {});
    await session.end({ timeout: 5 });
  }
}

async function openPglite(dir: string): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const dataDir = dir === "memory://" ? dir : resolve(dir);
  if (dataDir !== "memory://") mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir);
  const db = drizzle({ client, schema });
  await migrate(db, { migrationsFolder: MIGRATIONS });
  const run: Database["run"] = async <T>(query: SQL) => {
    const res = await db.execute(query);
    return { rows: res.rows as T[], changed: res.affectedRows ?? 0 };
  };
  return {
    db: db as unknown as Db,
    kind: "pglite",
    run,
    checkMigrations: migrationsChecker(run),
    async ping() {
      await client.query("select 1");
    },
    close: () => client.close(),
  };
}
