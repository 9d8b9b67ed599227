import { localStorage } from "./local.ts";
import type { Storage } from "./storage.ts";
import { supabaseStorage } from "./supabase.ts";

export type { Storage } from "./storage.ts";

/** Supabase Storage (its URL, service key, bucket, and a local folder for spooling), or a local folder. */
export type StorageOptions = ({ kind: "supabase" } & Parameters<typeof supabaseStorage>[0]) | { kind: "local"; dir: string };

export function createStorage(opts: StorageOptions): Storage {
  return opts.kind === "supabase" ? supabaseStorage(opts) : localStorage(opts.dir);
}
