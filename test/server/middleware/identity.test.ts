/**
 * Who a request is, as the server sees its peer: Bun's requestIP hook is given a loopback
 * or a non-loopback value (no traffic leaves the test), with real Redis and PGlite behind
 * the key ring.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { Redis } from "ioredis";
import { ApiKeysRepo } from "../../../db/api-keys-repo.ts";
import { openDatabase } from "../../../db/client.ts";
import { parseCidrs } from "../../../src/net/cidrs.ts";
import { clientKey } from "../../../src/server/client-address.ts";
import { KeyRing } from "../../../src/server/key-ring.ts";
import { browserGuard } from "../../../src/server/middleware/browser-guard/index.ts";
import { onError } from "../../../src/server/middleware/errors/index.ts";
import { identity, type AppEnv } from "../../../src/server/middleware/identity/index.ts";

const db = await openDatabase({ pgliteDir: "memory://" });
const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
afterAll(async () => {
  await db.close();
  await redis.quit();
});
const repo = new ApiKeysRepo(db.db);

function appWith(ring: KeyRing, trustedProxies = "") {
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.use("*", browserGuard({ singleUser: () => !ring.required() }));
  app.use("*", identity({ envKeys: [], keys: ring, trustedProxies: parseCidrs(trustedProxies) }));
  app.get("/me", (c) => c.json({ userId: c.get("userId") }));
  /** A request as Bun.serve hands it over, from `peer`. */
  return async (peer: string, headers: Record<string, string> = {}) => {
    const res = await app.fetch(new Request("http://localhost/me", { headers: { host: "localhost", ...headers } }), {
      requestIP: () => ({ address: peer, family: peer.includes(":") ? "IPv6" : "IPv4", port: 40000 }),
    });
    const body = (await res.json()) as { userId?: string; error?: { code: string } };
    return { status: res.status, code: body.error?.code, userId: body.userId };
  };
}

const ring = (prefix: string, failuresPerMinute = 100) =>
  new KeyRing(repo, redis, `{identity-test-${prefix}-${process.pid}-${Date.now()}}`, 0, { refreshMs: 60_000, positiveTtlMs: 60_000, negativeTtlMs: 60_000, failuresPerMinute });

describe("single-user mode (no key was ever made)", () => {
  test("answers a loopback peer, and refuses any other peer even when it claims Host: localhost", async () => {
    const r = ring("single");
    await r.start();
    const ask = appWith(r);
    expect(await ask("127.0.0.1")).toEqual({ status: 200, code: undefined, userId: "local" });
    expect(await ask("::1")).toMatchObject({ status: 200, userId: "local" });
    expect(await ask("::ffff:127.0.0.1")).toMatchObject({ status: 200, userId: "local" });
    expect(await ask("192.0.2.10")).toMatchObject({ status: 403, code: "host_not_allowed" });
    expect(await ask("2001:db8::5")).toMatchObject({ status: 403, code: "host_not_allowed" });
    r.stop();
  });
});

describe("with keys", () => {
  let key = "";
  beforeAll(async () => {
    key = (await repo.create("alice", true)).key;
  });

  test("failures are counted after the key is checked: a good key from a throttled address still gets in", async () => {
    const r = ring("throttle", 5);
    await r.start();
    const ask = appWith(r);
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await ask("192.0.2.20", { authorization: `Bearer folio_wrong-${i}` })).status);
    expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(await ask("192.0.2.20", { authorization: `Bearer ${key}` })).toMatchObject({ status: 200, userId: "alice" });
    expect((await ask("192.0.2.21", { authorization: "Bearer folio_wrong" })).status).toBe(401);
    r.stop();
  });

  test("behind a trusted proxy, failures count against the forwarded client; an untrusted peer's X-Forwarded-For is ignored", async () => {
    const r = ring("proxy", 3);
    await r.start();
    const ask = appWith(r, "10.0.0.0/8");
    const bad = (peer: string, xff: string) => ask(peer, { authorization: "Bearer folio_wrong", "x-forwarded-for": xff });
    for (let i = 0; i < 3; i++) expect((await bad("10.0.0.5", "198.51.100.7")).status).toBe(401);
    expect((await bad("10.0.0.5", "198.51.100.7")).status).toBe(429);
    // Another client behind the same proxy, and the same client behind another hop, are unaffected / still throttled.
    expect((await bad("10.0.0.5", "198.51.100.8")).status).toBe(401);
    expect((await bad("10.0.0.6", "203.0.113.1, 198.51.100.7, 10.0.0.9")).status).toBe(429);
    // Not a trusted proxy: its header is the client's own words, so the peer is what counts.
    for (let i = 0; i < 3; i++) expect((await bad("192.0.2.30", `198.51.100.${100 + i}`)).status).toBe(401);
    expect((await bad("192.0.2.30", "198.51.100.200")).status).toBe(429);
    r.stop();
  });

  test("an IPv6 client is counted by its /64: rotating addresses inside it does not reset the count", async () => {
    const r = ring("v6", 3);
    await r.start();
    const ask = appWith(r);
    for (const host of ["a", "b", "c"]) expect((await ask(`2001:db8:1:2::${host}`, { authorization: "Bearer folio_wrong" })).status).toBe(401);
    expect((await ask("2001:db8:1:2:ffff::1", { authorization: "Bearer folio_wrong" })).status).toBe(429);
    expect((await ask("2001:db8:1:3::1", { authorization: "Bearer folio_wrong" })).status).toBe(401);
    r.stop();
  });
});

test("clientKey: IPv4-mapped peers are IPv4; forwarded chains are read from the right, past trusted hops only", () => {
  const trusted = parseCidrs("10.0.0.0/8, fd00::/8, 127.0.0.1");
  expect(clientKey("::ffff:192.0.2.1", undefined, trusted)).toBe("192.0.2.1");
  expect(clientKey("127.0.0.1", "192.0.2.1, 10.1.1.1", trusted)).toBe("192.0.2.1");
  expect(clientKey("fd00::1", "garbage, 192.0.2.9", trusted)).toBe("192.0.2.9");
  expect(clientKey("10.0.0.1", "10.0.0.2, 10.0.0.3", trusted)).toBe("10.0.0.2");
  expect(clientKey(undefined, "192.0.2.1", trusted)).toBe("unknown");
  expect(() => parseCidrs("10.0.0.0/33")).toThrow();
});
