/** A file-store outage met by many calls: each call fails as unavailable, the log tells it twice. */
import { afterAll, afterEach, expect, spyOn, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OutageLog } from "../../src/dependencies/outage-log.ts";
import { reportTo, watchedStorage } from "../../src/dependencies/watched-storage.ts";
import { log } from "../../src/log.ts";
import { StorageUnavailable } from "../../src/storage/storage-unavailable.ts";
import { supabaseStorage } from "../../src/storage/supabase.ts";
import { startStorageStandIn } from "../support/supabase-storage-standin.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";

const standIn = startStorageStandIn("service-key");
const proxy = startTcpProxy("127.0.0.1", Number(new URL(standIn.url).port));
const warn = spyOn(log, "warn").mockImplementation(() => {});
const info = spyOn(log, "info").mockImplementation(() => {});
afterEach(() => {
  proxy.restore();
  warn.mockClear();
  info.mockClear();
});
afterAll(async () => {
  warn.mockRestore();
  info.mockRestore();
  proxy.stop();
  await standIn.stop();
});

const spoolDir = mkdtempSync(join(tmpdir(), "folio-spool-"));
const store = (serviceKey = "service-key") => {
  const outage = new OutageLog("storage");
  const inner = supabaseStorage({ url: `http://127.0.0.1:${proxy.port}`, serviceKey, bucket: "uploads", spoolDir });
  return watchedStorage(inner, reportTo(outage));
};
const pdf = () => new Blob(["%PDF-1.4 test"]).stream();

test("every call during the outage fails as StorageUnavailable; the log has one line when it starts and one when it ends", async () => {
  const storage = store();
  await storage.put("f_before.pdf", pdf());
  proxy.cut();
  for (let i = 0; i < 4; i++) {
    await expect(storage.put(`f_during${i}.pdf`, pdf())).rejects.toBeInstanceOf(StorageUnavailable);
    await expect(storage.get("f_before.pdf")).rejects.toBeInstanceOf(StorageUnavailable);
  }
  await expect(storage.delete("f_before.pdf")).rejects.toBeInstanceOf(StorageUnavailable);
  expect(warn).toHaveBeenCalledTimes(1);
  expect(String(warn.mock.calls[0]![1])).toStartWith("storage unreachable (supabase ");
  expect(info).not.toHaveBeenCalled();

  proxy.restore();
  expect(await storage.get("f_before.pdf")).toEqual(new TextEncoder().encode("%PDF-1.4 test"));
  await storage.get("f_before.pdf");
  expect(info).toHaveBeenCalledTimes(1);
  expect(String(info.mock.calls[0]![1])).toStartWith("storage reachable again after");
});

test("an answer that refuses (a wrong service key) is the caller's error, not an outage", async () => {
  const storage = store("wrong-key");
  const err = await storage.put("f_refused.pdf", pdf()).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  expect(err).not.toBeInstanceOf(StorageUnavailable);
  expect(warn).not.toHaveBeenCalled();
});
