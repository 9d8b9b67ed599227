import postgres from "postgres";

/** The machine's Postgres (trust auth); each test file gets a database of its own. */
export const PG_ADMIN_URL = process.env.FOLIO_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";

export async function freshDatabase(tag: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `folio_${tag}_${process.pid}_${Math.floor(Math.random() * 1e6)}`.replace(/[^a-z0-9_]/g, "_");
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
