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
    expect(() => loadConfig({ FOLIO_AI_CONCURRENCY_MIN: "10", FOLIO_AI_CONCURRENCY_MAX: "4" })).toThrow(/Invalid FOLIO_AI_CONCURRENCY_MIN=10: more than FOLIO_AI_CONCURRENCY_MAX=4/);
    expect(() => loadConfig({ FOLIO_AI_NOTES_CONCURRENCY: "-1" })).toThrow(/Invalid FOLIO_AI_NOTES_CONCURRENCY/);
    expect(() => loadConfig({ SUPABASE_URL: "https://x.supabase.co" })).toThrow(/SUPABASE_SERVICE_KEY/);
  });

  test("ports, sizes and durations are range-checked at start", () => {
    expect(() => loadConfig({ PORT: "70000" })).toThrow('Invalid PORT="70000": must be at most 65535');
    expect(() => loadConfig({ FOLIO_WORKER_PORT: "65536" })).toThrow(/Invalid FOLIO_WORKER_PORT/);
    expect(() => loadConfig({ MAX_UPLOAD_MB: "100000" })).toThrow(/Invalid MAX_UPLOAD_MB/);
    // Past 2^31−1 ms a timer fires at once: a drain "of a month" would not wait at all.
    expect(() => loadConfig({ FOLIO_DRAIN_TIMEOUT_MS: String(2 ** 31) })).toThrow(/Invalid FOLIO_DRAIN_TIMEOUT_MS/);
    expect(() => loadConfig({ FOLIO_SINGLE_FLIGHT_WAIT_S: "3000000" })).toThrow(/Invalid FOLIO_SINGLE_FLIGHT_WAIT_S/);
    expect(() => loadConfig({ FOLIO_PDF_EXTRACT_LOCK_DURATION_MS: String(2 ** 31) })).toThrow(/Invalid FOLIO_PDF_EXTRACT_LOCK_DURATION_MS/);
    expect(loadConfig({ PORT: "65535", FOLIO_DRAIN_TIMEOUT_MS: String(2 ** 31 - 1) }).PORT).toBe(65535);
  });

  test("per-queue overrides and switches are read from the environment", () => {
    const cfg = loadConfig({ FOLIO_PDF_EXTRACT_CONCURRENCY: "4", FOLIO_REDIS_AUTOSTART: "0", MAX_UPLOAD_MB: "1.5", PORT: "" });
    expect(cfg.queueOverrides["pdf-extract"]).toEqual({ concurrency: 4 });
    expect(cfg.FOLIO_REDIS_AUTOSTART).toBe(false);
    expect(cfg.maxUploadBytes).toBe(Math.floor(1.5 * 1024 * 1024));
    expect(cfg.PORT).toBe(3000);
  });

  test("an invalid secret-bearing setting is named, never echoed", () => {
    const cases: Record<string, string> = {
      FOLIO_API_KEYS: "short-s3cr3t:alice",
      DATABASE_URL: "mysql://folio:hunter2-s3cr3t@db/folio",
      REDIS_URL: "not a url s3cr3t",
      OPENAI_BASE_URL: "sk-s3cr3t-not-a-url",
      ALERT_WEBHOOK_URL: "hooks s3cr3t",
    };
    for (const [name, value] of Object.entries(cases)) {
      let message = "";
      try {
        loadConfig({ [name]: value });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toStartWith(`Invalid ${name} (value not shown`);
      expect(message).not.toContain("s3cr3t");
    }
  });
});
