/** Uploads to Supabase Storage (the stand-in): the body's own failure is what put reports, and nothing is stored. */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { supabaseStorage } from "../../src/storage/supabase.ts";
import { startStorageStandIn } from "../support/supabase-storage-standin.ts";

const standIn = startStorageStandIn("service-key");
afterAll(() => standIn.stop());
const spoolDir = mkdtempSync(join(tmpdir(), "folio-spool-"));
const storage = supabaseStorage({ url: standIn.url, serviceKey: "service-key", bucket: "uploads", spoolDir });

class TooLarge extends Error {}

test("a body that fails midway fails the upload with its own error, stores nothing and leaves no spooled file", async () => {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent++ < 3) c.enqueue(new Uint8Array(100_000).fill(0x25));
      else c.error(new TooLarge("over the limit"));
    },
  });
  await expect(storage.put("f_broken.pdf", body)).rejects.toBeInstanceOf(TooLarge);
  expect(await standIn.object("uploads", "f_broken.pdf")).toBeUndefined();
  expect(readdirSync(spoolDir)).toEqual([]);
});

test("a large upload arrives whole and leaves no spooled file", async () => {
  const bytes = crypto.getRandomValues(new Uint8Array(8 * 1024 * 1024));
  await storage.put("f_large.pdf", new Blob([bytes]).stream());
  expect(await standIn.object("uploads", "f_large.pdf")).toEqual(bytes);
  expect(readdirSync(spoolDir)).toEqual([]);
});

test("an empty upload is stored as an empty object at once (the upload route then refuses it as empty_file)", async () => {
  await storage.put("f_empty.pdf", new Blob([]).stream());
  expect(await standIn.object("uploads", "f_empty.pdf")).toEqual(new Uint8Array(0));
  expect(readdirSync(spoolDir)).toEqual([]);
});
