import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { assertStorageKey, type Storage } from "./storage.ts";

export interface SupabaseOptions {
  url: string;
  serviceKey: string;
  bucket: string;
}

/** One client per process: supabase-js keeps its HTTP agent and auth state on it. */
let shared: { key: string; client: SupabaseClient } | undefined;

function client(opts: SupabaseOptions): SupabaseClient {
  const key = `${opts.url}|${opts.serviceKey}`;
  if (shared?.key !== key) {
    shared = {
      key,
      client: createClient(opts.url, opts.serviceKey, {
        auth: { persistSession: false, autoRefreshToken: false },
      }),
    };
  }
  return shared.client;
}

export function supabaseStorage(opts: SupabaseOptions): Storage {
  const bucket = () => client(opts).storage.from(opts.bucket);
  return {
    kind: "supabase",
    async put(key, body) {
      assertStorageKey(key);
      const bytes = await new Response(body).arrayBuffer();
      const { error } = await bucket().upload(key, bytes, { contentType: "application/pdf", upsert: true });
      if (error) throw new Error(`supabase upload failed: ${error.message}`);
    },
    async get(key) {
      assertStorageKey(key);
      const { data, error } = await bucket().download(key);
      if (error) {
        const status = (error as { status?: number; statusCode?: string }).status;
        if (status === 404 || /not found/i.test(error.message)) return undefined;
        throw new Error(`supabase download failed: ${error.message}`);
      }
      return new Uint8Array(await data.arrayBuffer());
    },
    async delete(key) {
      assertStorageKey(key);
      const { error } = await bucket().remove([key]);
      if (error) throw new Error(`supabase delete failed: ${error.message}`);
    },
  };
}
