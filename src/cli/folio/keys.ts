import { ApiKeysRepo, type ApiKeyInfo } from "../../../db/api-keys-repo.ts";
import { openDatabase } from "../../../db/client.ts";
import { LocalDataUnclaimed } from "../../../db/local-adoption.ts";
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

export interface CreatedKey {
  id: string;
  key: string;
  adopted: number;
}

/**
 * The first key while single-user jobs exist needs a say about them (db/local-adoption.ts):
 * `adoptLocal` from --adopt-local / --no-adopt-local, else asked on a terminal; a script
 * that gave neither gets a usage error naming both.
 */
export async function createKey(client: FolioClient, user: string | undefined, admin: boolean, adoptLocal?: boolean): Promise<CreatedKey> {
  if (!user || !/^[A-Za-z0-9_.@-]{1,100}$/.test(user)) throw new UsageError("--user USER is required (letters, digits, _ . @ -)");
  const attempt = (adopt: boolean | undefined) =>
    viaServiceOrDatabase(
      () => client.json<CreatedKey>("/admin/keys", { method: "POST", headers: { "content-type": "application/json" } }, () => JSON.stringify({ userId: user, admin, adoptLocal: adopt })),
      (repo) => repo.create(user, admin, adopt),
    );
  try {
    return await attempt(adoptLocal);
  } catch (err) {
    const unclaimed = err instanceof LocalDataUnclaimed || (err instanceof ApiError && err.code === "local_data_unclaimed");
    if (!unclaimed) throw err;
    if (!process.stdin.isTTY || !process.stderr.isTTY) throw new UsageError((err as Error).message);
    process.stderr.write(`${(err as Error).message}\n`);
    const answer = prompt(`Adopt them for ${user}? [y/n]`)?.trim().toLowerCase();
    if (answer !== "y" && answer !== "n") throw new UsageError("answer y or n (or pass --adopt-local / --no-adopt-local)");
    return attempt(answer === "y");
  }
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
