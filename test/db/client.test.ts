import { afterAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { testDatabases } from "../support/databases.ts";

for (const target of testDatabases("client")) {
  describe(`database client on ${target.name}`, () => {
    afterAll(() => target.cleanup());

    test("opens with every migration applied, and /ready's check says when one is missing", async () => {
      const db = await target.open();
      await db.ping();
      await db.checkMigrations();
      const { rows } = await db.run<{ n: number }>(sql`select count(*)::int as n from jobs`);
      expect(rows[0]!.n).toBe(0);
      await db.run(sql`delete from drizzle.__drizzle_migrations where id = (select max(id) from drizzle.__drizzle_migrations)`);
      const journal = await Bun.file(new URL("../../db/migrations/meta/_journal.json", import.meta.url)).json();
      await expect(db.checkMigrations()).rejects.toThrow(new RegExp(`of ${journal.entries.length} migrations applied`));
    });
  });
}
