import { expect, test } from "bun:test";
import { notesKey, textKey } from "../../src/cache/cache-keys.ts";

const pdf = { sha256: "a".repeat(64), userId: "alice" };

test("a notes key is 64 hex digits and changes with the PDF, the generator and (in user scope) the user", () => {
  const key = notesKey("global", pdf, "0123456789abcdef");
  expect(key).toMatch(/^[0-9a-f]{64}$/);
  expect(notesKey("global", { ...pdf, sha256: "b".repeat(64) }, "0123456789abcdef")).not.toBe(key);
  expect(notesKey("global", pdf, "fedcba9876543210")).not.toBe(key);
  expect(notesKey("global", { ...pdf, userId: "bob" }, "0123456789abcdef")).toBe(key);
  expect(notesKey("user", pdf, "0123456789abcdef")).not.toBe(key);
  expect(notesKey("user", { ...pdf, userId: "bob" }, "0123456789abcdef")).not.toBe(notesKey("user", pdf, "0123456789abcdef"));
});

test("the text key is the PDF's hash in global scope (no generator changes text), the user's own in user scope", () => {
  expect(textKey("global", pdf)).toBe(pdf.sha256);
  expect(textKey("user", pdf)).toMatch(/^[0-9a-f]{64}$/);
  expect(textKey("user", pdf)).not.toBe(textKey("user", { ...pdf, userId: "bob" }));
});

test("how the upload asked for the PDF to be read is part of both keys; the default leaves them as they were", () => {
  const key = notesKey("global", pdf, "0123456789abcdef");
  expect(notesKey("global", { ...pdf, ocr: "auto" }, "0123456789abcdef")).toBe(key);
  const forced = notesKey("global", { ...pdf, ocr: "force" }, "0123456789abcdef");
  expect(forced).not.toBe(key);
  expect(notesKey("global", { ...pdf, ocr: "off" }, "0123456789abcdef")).not.toBe(forced);
  expect(notesKey("global", { ...pdf, pages: "1-5,9" }, "0123456789abcdef")).not.toBe(key);
  expect(textKey("global", { ...pdf, ocr: "auto" })).toBe(pdf.sha256);
  expect(textKey("global", { ...pdf, ocr: "force" })).toMatch(/^[0-9a-f]{64}$/);
  expect(textKey("global", { ...pdf, ocr: "force" })).not.toBe(textKey("global", { ...pdf, ocr: "off" }));
});
