/**
 * kill -9 of the Redis Cluster master that holds Folio's slot, under load: its replica
 * takes over (cluster-node-timeout 2 s) and every accepted job ends completed or failed
 * with a reason; jobs the old master took with it are enqueued again by the reconciler.
 */
import { afterAll, expect, test } from "bun:test";
import { fastRecoveryEnv, report, tally, uploadMany } from "../support/load.ts";
import { freshDatabase } from "../support/postgres.ts";
import { startLocalCluster, type LocalCluster } from "../support/redis-cluster.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

let cluster: LocalCluster | undefined;
let svc: ServiceProcess | undefined;
let drop: (() => Promise<void>) | undefined;
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
  await cluster?.stop();
  await drop?.();
});

test("the master of Folio's slot killed under load: failover, and no accepted job lost", async () => {
  cluster = await startLocalCluster();
  const db = await freshDatabase("failover");
  drop = db.drop;
  svc = await startServiceProcess({
    name: "cluster-failover",
    env: { REDIS_URL: cluster.url, DATABASE_URL: db.url, FOLIO_CACHE: "off", FOLIO_RECONCILE_INTERVAL_MS: "1000", FOLIO_RECONCILE_GRACE_MS: "3000", ...fastRecoveryEnv() },
  });
  const master = await cluster.masterFor(`${svc.prefix}:x`);
  let killedAt = 0;
  const { accepted, refused } = await uploadMany(svc.url, 120, {
    onEach: async (i) => {
      if (i === 60) {
        await cluster!.kill(master);
        killedAt = Date.now();
      }
    },
  });
  expect(killedAt).toBeGreaterThan(0);
  // The replica is promoted once the others have given the master up (cluster-node-timeout).
  let newMaster = 0;
  for (let i = 0; i < 100 && !newMaster; i++) newMaster = await cluster.masterFor(`${svc.prefix}:x`).catch(async () => (await Bun.sleep(200), 0));
  expect(newMaster).not.toBe(master);
  console.log(`failover: master ${master} killed, ${newMaster} took over ${Date.now() - killedAt} ms later (or sooner)`);
  const t = await tally(svc.url, accepted, refused, 240_000);
  report("cluster master killed", t);
  expect(t.lost).toBe(0);
  expect(t.completed + t.failedWithReason).toBe(t.accepted);
  expect(t.completed).toBeGreaterThan(t.accepted * 0.9);
}, 400_000);
