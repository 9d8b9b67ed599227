#!/usr/bin/env bun
/** `bun run keys create --user U [--admin]`: prints a new API key once; only its digest is stored. */
import { parseArgs } from "node:util";
import { ApiKeysRepo } from "../../db/api-keys-repo.ts";
import { openDatabase } from "../../db/client.ts";
import { ConfigError, config } from "../config.ts";

const usage = "usage: bun run keys create --user USER [--admin]";
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { user: { type: "string" }, admin: { type: "boolean", default: false } },
});
if (positionals[0] !== "create" || !values.user || !/^[A-Za-z0-9_.@-]{1,100}$/.test(values.user)) {
  console.error(usage);
  process.exit(2);
}
try {
  const cfg = config();
  const db = await openDatabase({ url: cfg.DATABASE_URL, pgliteDir: `${cfg.FOLIO_DATA_DIR}/pglite`, poolSize: 1 });
  const key = await new ApiKeysRepo(db.db).create(values.user, values.admin ?? false);
  await db.close();
  console.log(key);
  console.error(`API key for ${values.user}${values.admin ? " (admin)" : ""}: shown once, store it now. Restart the service if it ran in single-user mode.`);
} catch (err) {
  console.error(`folio: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
  process.exit(1);
}
