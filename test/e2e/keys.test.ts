/**
 * API keys managed while Folio runs, on two server processes sharing one Postgres: the first
 * key turns authentication on everywhere, a revocation is honoured everywhere, within seconds;
 * failed authentications from one address are throttled.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ApiKeysRepo } from "../../db/api-keys-repo.ts";
import { openDatabase } from "../../db/client.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

let db: Awaited<ReturnType<typeof freshDatabase>>;
let a: ServiceProcess;
let b: ServiceProcess;
beforeAll(async () => {
  db = await freshDatabase("keys");
  a = await startServiceProcess({ name: "keys-a", env: { DATABASE_URL: db.url, FOLIO_AUTH_FAILURES_PER_MIN: "60" } });
  b = await startServiceProcess({ name: "keys-b", args: ["--role", "server"], prefix: a.prefix, env: { DATABASE_URL: db.url, FOLIO_AUTH_FAILURES_PER_MIN: "60" } });
}, 120_000);
afterAll(async () => {
  for (const s of [b, a]) {
    await s?.stop();
    s?.cleanup();
  }
  await db?.drop();
});

const as = (key?: string): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});
const status = async (svc: ServiceProcess, key?: string) => (await fetch(`${svc.url}/jobs/j_none`, { headers: as(key) })).status;
async function eventually(what: string, check: () => Promise<boolean>, ms = 8000) {
  // Every refused request counts against this address's failure limit: look twice a second.
  for (const end = Date.now() + ms; Date.now() < end; await Bun.sleep(500)) if (await check()) return;
  throw new Error(`not within ${ms} ms: ${what}`);
}

describe("keys while running", () => {
  test("creating the first key over HTTP turns authentication on, on both servers; list shows it, never the key", async () => {
    expect([await status(a), await status(b)]).toEqual([404, 404]);
    const res = await fetch(`${a.url}/admin/keys`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId: "alice", admin: true }) });
    expect(res.status).toBe(201);
    const alice = (await res.json()) as any;
    // Checked field by field: Bun's toMatchObject writes its asymmetric matchers into the object it checks.
    expect([alice.userId, alice.admin, alice.revokedAt]).toEqual(["alice", true, null]);
    expect(alice.key).toMatch(/^folio_/);
    await eventually("auth on, on both", async () => (await status(a)) === 401 && (await status(b)) === 401);
    expect([await status(a, alice.key), await status(b, alice.key)]).toEqual([404, 404]);
    const list = (await (await fetch(`${b.url}/admin/keys`, { headers: as(alice.key) })).json()) as any;
    expect(list.keys.map((k: any) => k.userId)).toEqual(["alice"]);
    expect(JSON.stringify(list)).not.toContain(alice.key);
    (globalThis as any).aliceKey = alice.key;
  });

  test("a revoked key is refused on both servers within seconds; only admins manage keys", async () => {
    const aliceKey = (globalThis as any).aliceKey as string;
    const bob = (await (await fetch(`${b.url}/admin/keys`, { method: "POST", headers: { ...as(aliceKey), "content-type": "application/json" }, body: JSON.stringify({ userId: "bob" }) })).json()) as any;
    await eventually("bob's key works on both", async () => (await status(a, bob.key)) === 404 && (await status(b, bob.key)) === 404);
    expect((await fetch(`${a.url}/admin/keys`, { headers: as(bob.key) })).status).toBe(403);
    const revoked = await fetch(`${a.url}/admin/keys/${bob.id}`, { method: "DELETE", headers: as(aliceKey) });
    expect(revoked.status).toBe(200);
    await eventually("bob refused on both", async () => (await status(a, bob.key)) === 401 && (await status(b, bob.key)) === 401);
    const list = (await (await fetch(`${a.url}/admin/keys`, { headers: as(aliceKey) })).json()) as any;
    expect(list.keys.find((k: any) => k.id === bob.id).revokedAt).not.toBeNull();
    const missing = await fetch(`${a.url}/admin/keys/k_none`, { method: "DELETE", headers: as(aliceKey) });
    expect([missing.status, ((await missing.json()) as any).error.code]).toEqual([404, "key_not_found"]);
  });

  test("the last admin key cannot be revoked (409); once every key is revoked, auth stays on: Host: localhost gets nobody in", async () => {
    const aliceKey = (globalThis as any).aliceKey as string;
    const keys = (await (await fetch(`${a.url}/admin/keys`, { headers: as(aliceKey) })).json()) as any;
    const alice = keys.keys.find((k: any) => k.userId === "alice");
    const last = await fetch(`${a.url}/admin/keys/${alice.id}`, { method: "DELETE", headers: as(aliceKey) });
    expect([last.status, ((await last.json()) as any).error.code]).toEqual([409, "last_admin_key"]);
    const made = await fetch(`${a.url}/admin/keys`, { method: "POST", headers: { ...as(aliceKey), "content-type": "application/json" }, body: JSON.stringify({ userId: "carol", admin: true }) });
    // The answer holds a key: nothing on the way may keep it.
    expect(made.headers.get("cache-control")).toBe("no-store");
    const carol = (await made.json()) as any;
    expect((await fetch(`${a.url}/admin/keys/${alice.id}`, { method: "DELETE", headers: as(carol.key) })).status).toBe(200);
    // Revoke carol too, from the database as an operator may: no active key is left.
    const database = await openDatabase({ url: db.url });
    try {
      const repo = new ApiKeysRepo(database.db);
      expect(await repo.revoke(carol.id, true)).toBeInstanceOf(Date);
      await eventually("carol refused on both", async () => (await status(a, carol.key)) === 401 && (await status(b, carol.key)) === 401);
      // Past the key ring's refresh (2 s), nobody gets in without a key, whatever Host it claims.
      await Bun.sleep(2500);
      for (const svc of [a, b]) {
        const res = await fetch(`${svc.url}/admin/keys`, { method: "POST", headers: { host: "localhost", "content-type": "application/json" }, body: JSON.stringify({ userId: "mallory", admin: true }) });
        expect(res.status).toBe(401);
      }
      // The way back: a key made with database access (`folio keys create` with the service's settings).
      (globalThis as any).aliceKey = (await repo.create("alice", true)).key;
    } finally {
      await database.close();
    }
  });

  test("an address that keeps failing authentication is throttled (429, Retry-After), across servers; a good key from it still works", async () => {
    const aliceKey = (globalThis as any).aliceKey as string;
    // Fill up to the limit (60 a minute) from both servers. The window is the clock minute, so
    // a boundary may split the run: 121 failures put at least 61 in one minute either way.
    const seen: number[] = [];
    for (let i = 0; i < 121 && seen.at(-1) !== 429; i++) seen.push(await status(i % 2 ? a : b, `wrong-key-${i}-0123456789`));
    expect(seen[0]).toBe(401);
    expect(seen.at(-1)).toBe(429);
    const throttled = await fetch(`${a.url}/jobs/j_none`, { headers: as("wrong-key-once-more-0123456789") });
    expect(throttled.status).toBe(429);
    expect(((await throttled.json()) as any).error.code).toBe("too_many_auth_failures");
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    expect([await status(a, aliceKey), await status(b, aliceKey)]).toEqual([404, 404]);
  });
});
