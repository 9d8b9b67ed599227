import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localStorage } from "../../src/storage/local.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { supabaseStorage } from "../../src/storage/supabase.ts";
import { startStorageStandIn } from "../support/supabase-storage-standin.ts";

const standIn = startStorageStandIn("service-key");
afterAll(() => standIn.stop());
const bytes = new TextEncoder().encode("%PDF-1.4 test bytes");
const stream = () => new Blob([bytes]).stream();

const dir = mkdtempSync(join(tmpdir(), "folio-storage-"));
const adapters: [string, Storage][] = [
  ["local", localStorage(dir)],
  ["supabase (stand-in)", supabaseStorage({ url: standIn.url, serviceKey: "service-key", bucket: "uploads", spoolDir: mkdtempSync(join(tmpdir(), "folio-spool-")) })],
];

for (const [name, storage] of adapters) {
  describe(`${name} storage`, () => {
    test("put, get and delete round-trip the bytes", async () => {
      await storage.put("f_abc.pdf", stream());
      expect(await storage.get("f_abc.pdf")).toEqual(bytes);
      await storage.delete("f_abc.pdf");
      expect(await storage.get("f_abc.pdf")).toBeUndefined();
    });

    test("move renames an object, replacing one already at the destination", async () => {
      await storage.put("f_tmp.pdf", stream());
      await storage.put("c_dest.pdf", new Blob(["%PDF-1.4 older"]).stream());
      await storage.move("f_tmp.pdf", "c_dest.pdf");
      expect(await storage.get("c_dest.pdf")).toEqual(bytes);
      expect(await storage.get("f_tmp.pdf")).toBeUndefined();
      expect([await storage.exists("c_dest.pdf"), await storage.exists("f_tmp.pdf")]).toEqual([true, false]);
      await storage.delete("c_dest.pdf");
    });

    test("a missing object is undefined, not an error", async () => {
      expect(await storage.get("f_missing.pdf")).toBeUndefined();
    });

    test("keys that could escape the store are refused", async () => {
      for (const key of ["../etc/passwd", "a/b.pdf", "x.sh", ""]) {
        await expect(storage.put(key, stream())).rejects.toThrow(/invalid storage key/);
      }
    });
  });
}

test("local storage writes only under its directory", async () => {
  await adapters[0]![1].put("f_one.pdf", stream());
  expect(readdirSync(dir)).toEqual(["f_one.pdf"]);
});

test("supabase storage speaks the Storage REST routes with the service key", async () => {
  const before = standIn.requests.length;
  const s = adapters[1]![1];
  await s.put("f_wire.pdf", stream());
  await s.get("f_wire.pdf");
  await s.delete("f_wire.pdf");
  expect(standIn.requests.slice(before)).toEqual([
    { method: "POST", path: "/storage/v1/object/uploads/f_wire.pdf" },
    { method: "GET", path: "/storage/v1/object/uploads/f_wire.pdf" },
    { method: "DELETE", path: "/storage/v1/object/uploads" },
  ]);
  const wrongKey = supabaseStorage({ url: standIn.url, serviceKey: "nope", bucket: "uploads", spoolDir: mkdtempSync(join(tmpdir(), "folio-spool-")) });
  await expect(wrongKey.put("f_x.pdf", stream())).rejects.toThrow(/supabase upload failed/);
});
