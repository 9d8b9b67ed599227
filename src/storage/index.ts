import { join } from "node:path";
import type { Config } from "../config.ts";
import { localStorage } from "./local.ts";
import type { Storage } from "./storage.ts";
import { supabaseStorage } from "./supabase.ts";

export type { Storage } from "./storage.ts";

export function createStorage(cfg: Config): Storage {
  if (cfg.SUPABASE_URL && cfg.SUPABASE_SERVICE_KEY) {
    return supabaseStorage({ url: cfg.SUPABASE_URL, serviceKey: cfg.SUPABASE_SERVICE_KEY, bucket: cfg.SUPABASE_BUCKET, spoolDir: join(cfg.FOLIO_DATA_DIR, "upload-spool") });
  }
  return localStorage(join(cfg.FOLIO_DATA_DIR, "uploads"));
}
