import { expect, test } from "bun:test";
import { redactSecrets, safeUrl } from "../src/redact.ts";

test("text about to be printed loses secret settings' values and URL credentials", () => {
  const env = { OPENAI_API_KEY: "sk-live-123456", DATABASE_URL: "postgres://folio:pw@db:5432/folio" };
  const text = "call failed with sk-live-123456; db postgres://folio:pw@db:5432/folio; hook https://u:tok@hooks.example/x";
  const out = redactSecrets(text, env);
  expect(out).not.toContain("sk-live-123456");
  expect(out).not.toContain(":pw@");
  expect(out).not.toContain("tok@");
  expect(out).toContain("https://***@hooks.example/x");
});

test("a URL is logged as scheme, host and path only", () => {
  expect(safeUrl("https://user:pass@files.example:8443/a/b.pdf?X-Amz-Signature=abc#frag")).toBe("https://files.example:8443/a/b.pdf");
  expect(safeUrl("not a url")).toBe("(unparseable URL)");
});
