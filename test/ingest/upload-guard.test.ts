import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { sha256Hex } from "../../src/crypto/sha256.ts";
import { hashingStream, UploadRejected } from "../../src/ingest/upload-guard.ts";
import { fixture, fixtures } from "../support/fixtures.ts";

async function drain(s: ReadableStream<Uint8Array>) {
  return new Uint8Array(await new Response(s).arrayBuffer());
}

describe("hashing stream", () => {
  test("passes the bytes through and hashes them in the same pass", async () => {
    const bytes = new Uint8Array(await Bun.file(fixture("paper-bookmarks.pdf")).arrayBuffer());
    const h = hashingStream(Bun.file(fixture("paper-bookmarks.pdf")).stream(), 10_000_000);
    const out = await drain(h.stream);
    const meta = await h.result;
    expect(out).toEqual(bytes);
    expect(meta.size).toBe(bytes.byteLength);
    expect(meta.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(meta.sha256).toBe(fixtures().find((e) => e.filename === "paper-bookmarks.pdf")!.sha256);
    expect(sha256Hex(bytes)).toBe(meta.sha256);
  });

  test("cuts a stream past the limit", async () => {
    const h = hashingStream(new Blob([new Uint8Array(1000).fill(0x25)]).stream(), 100);
    await expect(drain(h.stream)).rejects.toBeInstanceOf(UploadRejected);
    await expect(h.result).rejects.toMatchObject({ code: "file_too_large" });
  });

  test("cuts a non-PDF as soon as its first bytes are seen", async () => {
    const png = Bun.file(fixture("bad-png-renamed.pdf")).stream();
    const h = hashingStream(png, 10_000_000);
    await expect(drain(h.stream)).rejects.toMatchObject({ code: "not_a_pdf" });
  });
});
