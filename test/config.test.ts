import { describe, expect, test } from "bun:test";
import { loadConfig } from "../src/config.ts";

describe("config", () => {
  test("runs with no environment at all, on embedded defaults", () => {
    const cfg = loadConfig({});
    expect(cfg.PORT).toBe(3000);
    expect(cfg.REDIS_URL).toBe("redis://127.0.0.1:6379");
    expect(cfg.DATABASE_URL).toBeUndefined();
    expect(cfg.FOLIO_PROFILE).toBe("optimized");
    expect(cfg.maxUploadBytes).toBe(50 * 1024 * 1024);
    expect(cfg.FOLIO_REDIS_AUTOSTART).toBe(true);
  });

  test("a bad value stops start-up with one line naming the variable", () => {
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(/^Invalid PORT="eighty"/);
    expect(() => loadConfig({ FOLIO_PROFILE: "fast" })).toThrow(/Invalid FOLIO_PROFILE="fast"/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://x" })).toThrow(/Invalid DATABASE_URL/);
    expect(() => loadConfig({ FOLIO_AI_NOTES_CONCURRENCY: "-1" })).toThrow(/Invalid FOLIO_AI_NOTES_CONCURRENCY/);
    expect(() => loadConfig({ SUPABASE_URL: "https://x.supabase.co" })).toThrow(/SUPABASE_SERVICE_KEY/);
  });

  test("per-queue overrides and switches are read from the environment", () => {
    const cfg = loadConfig({ FOLIO_PDF_EXTRACT_CONCURRENCY: "4", FOLIO_REDIS_AUTOSTART: "0", MAX_UPLOAD_MB: "1.5", PORT: "" });
    expect(cfg.queueOverrides["pdf-extract"]).toEqual({ concurrency: 4 });
    expect(cfg.FOLIO_REDIS_AUTOSTART).toBe(false);
    expect(cfg.maxUploadBytes).toBe(Math.floor(1.5 * 1024 * 1024));
    expect(cfg.PORT).toBe(3000);
  });
});
