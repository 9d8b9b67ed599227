import { ApiKeysRepo } from "../../../db/api-keys-repo.ts";
import { openDatabase } from "../../../db/client.ts";
import { config } from "../../config.ts";
import { UsageError } from "./inputs.ts";

/**
 * `folio keys create --user U [--admin]`: an operator's command, run where the service's
 * database is (FOLIO_DATA_DIR or DATABASE_URL): there is no HTTP route that mints keys.
 * Prints the key once; only its digest is stored.
 */
export async function createKey(user: string | undefined, admin: boolean): Promise<string> {
  if (!user || !/^[A-Za-z0-9_.@-]{1,100}$/.test(user)) throw new UsageError("--user USER is required (letters, digits, _ . @ -)");
  const cfg = config();
  const db = await openDatabase({ url: cfg.DATABASE_URL, pgliteDir: `${cfg.FOLIO_DATA_DIR}/pglite`, poolSize: 1 });
  try {
    return await new ApiKeysRepo(db.db).create(user, admin);
  } finally {
    await db.close();
  }
}
