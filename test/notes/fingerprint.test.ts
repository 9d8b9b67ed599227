import { notesOptions } from "../../src/options.ts";
import { expect, test } from "bun:test";
import { loadConfig } from "../../src/config.ts";
import { generatorFingerprint } from "../../src/notes/index.ts";

const fp = (env: Record<string, string>) => generatorFingerprint(notesOptions(loadConfig(env)));
const model = { OPENAI_BASE_URL: "http://127.0.0.1:11434/v1", FOLIO_MODEL: "llama3:8b" };

test("the fingerprint changes with what changes the notes", () => {
  const base = fp(model);
  expect(base.id).toMatch(/^[0-9a-f]{16}$/);
  expect(base.kind).toBe("ai");
  expect(fp({ ...model, FOLIO_MODEL: "qwen2.5:7b" }).id).not.toBe(base.id);
  expect(fp({ ...model, OPENAI_BASE_URL: "http://10.0.0.2:8000/v1" }).id).not.toBe(base.id);
  expect(fp({ ...model, FOLIO_OPENAI_API: "responses" }).id).not.toBe(base.id);
  expect(fp({ ...model, FOLIO_AI_CHUNK_TOKENS: "3000" }).id).not.toBe(base.id);
  expect(fp({}).kind).toBe("extractive");
  expect(fp({ FOLIO_NOTES_SENTENCES: "3" }).id).not.toBe(fp({}).id);
});

test("the OCR engine, its version, languages and resolution are in it (a scan's notes depend on them)", () => {
  expect(fp({}).settings.reader).toMatch(/^tesseract\.js-core@7\.\d+\.\d+;eng:4\.0\.0_best_int;200dpi$/);
  expect(fp({ FOLIO_OCR_DPI: "300" }).id).not.toBe(fp({}).id);
  expect(fp({ ...model, FOLIO_OCR_DPI: "300" }).id).not.toBe(fp(model).id);
});

test("what does not change the notes leaves it alone, and no secret is in it", () => {
  const base = fp(model);
  expect(fp({ ...model, OPENAI_API_KEY: "sk-secret-value-1234" }).id).toBe(base.id);
  expect(fp({ ...model, FOLIO_AI_PARALLEL: "8", FOLIO_AI_TIMEOUT_MS: "5000" }).id).toBe(base.id);
  const withCredentials = fp({ ...model, OPENAI_BASE_URL: "http://user:pa55word@127.0.0.1:11434/v1" });
  expect(JSON.stringify(withCredentials)).not.toContain("pa55word");
});
