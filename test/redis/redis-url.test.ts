import { expect, test } from "bun:test";
import { loadConfig } from "../../src/config.ts";
import { parseRedisUrl } from "../../src/redis/redis-url.ts";

test("REDIS_URL names one Redis or a cluster by its seed nodes", () => {
  expect(parseRedisUrl("redis://127.0.0.1:6379")).toEqual({ kind: "single", url: "redis://127.0.0.1:6379" });
  expect(parseRedisUrl("redis+cluster://10.0.0.1:7000,10.0.0.2:7001")).toEqual({
    kind: "cluster",
    nodes: [
      { host: "10.0.0.1", port: 7000 },
      { host: "10.0.0.2", port: 7001 },
    ],
    username: undefined,
    password: undefined,
    tls: false,
  });
  expect(parseRedisUrl("rediss+cluster://folio:p%40ss@a.example:6380")).toMatchObject({ kind: "cluster", username: "folio", password: "p@ss", tls: true });
  expect(() => parseRedisUrl("redis+cluster://a.example")).toThrow(/host:port/);
  expect(() => parseRedisUrl("http://a.example:6379")).toThrow(/redis:\/\//);
});

test("on a cluster the key prefix must carry a {hash tag}; the config says so at start", () => {
  expect(loadConfig({ REDIS_URL: "redis+cluster://127.0.0.1:7000" }).FOLIO_REDIS_PREFIX).toBe("{folio}");
  expect(() => loadConfig({ REDIS_URL: "redis+cluster://127.0.0.1:7000", FOLIO_REDIS_PREFIX: "folio" })).toThrow(/FOLIO_REDIS_PREFIX.*hash tag/);
  expect(() => loadConfig({ REDIS_URL: "redis+cluster://nohost" })).toThrow(/^Invalid REDIS_URL \(value not shown/);
  expect(loadConfig({ REDIS_URL: "redis://127.0.0.1:6379", FOLIO_REDIS_PREFIX: "folio" }).FOLIO_REDIS_PREFIX).toBe("folio");
});
