import { ApiKeysRepo, type ApiKeyInfo } from "../../../db/api-keys-repo.ts";
import { openDatabase } from "../../../db/client.ts";
import { config } from "../../config.ts";
import { ApiError, type FolioClient } from "./client.ts";
import { UsageError } from "./inputs.ts";

/** A key as the API shows it (dates as ISO strings). */
export interface KeyView {
  id: string;
  userId: string;
  admin: boolean;
  createdAt: string;
  revokedAt: string | null;
}

const asView = (k: ApiKeyInfo): KeyView => ({ ...k, createdAt: k.createdAt.toISOString(), revokedAt: k.revokedAt?.toISOString() ?? null });

/**
 * `folio keys create|list|revoke` talk to the running service (`/admin/keys`, an admin key
 * once keys exist), so a change counts on every server within seconds and a PGlite
 * deployment can make keys while it runs. With no service running they open the database
 * directly (FOLIO_DATA_DIR or DATABASE_URL), as an operator setting up does.
 */
async function viaServiceOrDatabase<T>(overHttp: () => Promise<T>, direct: (repo: ApiKeysRepo) => Promise<T>): Promise<T> {
  try {
    return await overHttp();
  } catch (err) {
    if (!(err instanceof ApiError && err.code === "unreachable")) throw err;
  }
  const cfg = config();
  const db = await openDatabase({ url: cfg.DATABASE_URL, pgliteDir: `${cfg.FOLIO_DATA_DIR}/pglite`, poolSize: 1 });
  try {
    return await direct(new ApiKeysRepo(db.db));
  } finally {
    await db.close();
  }
}

export function createKey(client: FolioClient, user: string | undefined, admin: boolean): Promise<{ id: string; key: string }> {
  if (!user || !/^[A-Za-z0-9_.@-]{1,100}$/.test(user)) throw new UsageError("--user USER is required (letters, digits, _ . @ -)");
  return viaServiceOrDatabase(
    () => client.json<{ id: string; key: string }>("/admin/keys", { method: "POST", headers: { "content-type": "application/json" } }, () => JSON.stringify({ userId: user, admin })),
    (repo) => repo.create(user, admin),
  );
}

export function listKeys(client: FolioClient): Promise<KeyView[]> {
  return viaServiceOrDatabase(
    async () => (await client.json<{ keys: KeyView[] }>("/admin/keys")).keys,
    async (repo) => (await repo.list()).map(asView),
  );
}

export function revokeKey(client: FolioClient, id: string | undefined): Promise<string> {
  if (!id) throw new UsageError("name the key to revoke: folio keys revoke k_…  (see folio keys list)");
  return viaServiceOrDatabase(
    async () => (await client.json<{ revokedAt: string }>(`/admin/keys/${encodeURIComponent(id)}`, { method: "DELETE" })).revokedAt,
    async (repo) => {
      // Whoever reaches the database can make a new admin key, so the last one may go here.
      const at = await repo.revoke(id, true);
      if (!(at instanceof Date)) throw new ApiError(404, "key_not_found", "no API key with that id");
      return at.toISOString();
    },
  );
}
