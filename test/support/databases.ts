import { openDatabase, type Database } from "../../db/client.ts";
import { freshDatabase } from "./postgres.ts";

export interface TestDatabase {
  name: "pglite" | "postgres";
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}

/** The two databases every database test runs against: embedded PGlite and the machine's Postgres. */
export function testDatabases(tag: string): TestDatabase[] {
  let db: Database | undefined;
  let pg: Database | undefined;
  let drop: (() => Promise<void>) | undefined;
  return [
    {
      name: "pglite",
      open: async () => (db ??= await openDatabase({ pgliteDir: "memory://" })),
      cleanup: async () => {
        await db?.close();
      },
    },
    {
      name: "postgres",
      async open() {
        if (!pg) {
          const fresh = await freshDatabase(tag);
          drop = fresh.drop;
          pg = await openDatabase({ url: fresh.url, poolSize: 5 });
        }
        return pg;
      },
      cleanup: async () => {
        await pg?.close();
        await drop?.();
      },
    },
  ];
}
