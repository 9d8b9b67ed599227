import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

export const files = pgTable(
  "files",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** Null until a file uploaded by URL has been downloaded. */
    sha256: text("sha256"),
    size: bigint("size", { mode: "number" }),
    filename: text("filename").notNull(),
    storageKey: text("storage_key").notNull(),
    /** Where a file uploaded by URL came from. */
    sourceUrl: text("source_url"),
    /** When the retention sweep deleted this file's PDF (its stored copy, or a file of its own as an upload by URL has); the row stays for its jobs. */
    expiredAt: timestamp("expired_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (t) => [index("files_user_idx").on(t.userId), index("files_sha_idx").on(t.sha256), index("files_storage_key_idx").on(t.storageKey)],
);

/**
 * One stored copy per PDF (per user under FOLIO_CACHE_SCOPE=user): the object at `key` is
 * shared by every files row whose storage_key is `key`, and deleted with the last of them
 * (db/blobs.ts, under a lock on the key).
 */
export const blobs = pgTable("blobs", {
  key: text("key").primaryKey(),
  sha256: text("sha256").notNull(),
  size: bigint("size", { mode: "number" }).notNull(),
  createdAt: createdAt(),
});

export const jobs = pgTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    fileId: text("file_id").notNull(),
    pipeline: text("pipeline").notNull(),
    status: text("status").notNull(),
    progress: integer("progress").notNull().default(0),
    /** Orders status writes: a write with a lower seq than the row's is stale and skipped. */
    seq: integer("seq").notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    cacheHit: boolean("cache_hit").notNull().default(false),
    waitMs: integer("wait_ms"),
    downloadMs: integer("download_ms"),
    extractMs: integer("extract_ms"),
    aiMs: integer("ai_ms"),
    saveMs: integer("save_ms"),
    pages: integer("pages"),
    /** Pages read by OCR (planned, then done as each finishes), their mean confidence (0–100) and the time OCR took. */
    ocrPages: integer("ocr_pages"),
    ocrPagesDone: integer("ocr_pages_done"),
    ocrConfidence: integer("ocr_confidence"),
    ocrMs: integer("ocr_ms"),
    notesId: text("notes_id"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    /** Where the final status is POSTed (signed), and how that delivery went. */
    callbackUrl: text("callback_url"),
    callbackStatus: text("callback_status"),
    callbackAttempts: integer("callback_attempts").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
    /** The upload request's span (W3C traceparent) when tracing was on: GET /jobs/:id shows its trace id. */
    traceparent: text("traceparent"),
  },
  (t) => [index("jobs_user_idx").on(t.userId), index("jobs_status_idx").on(t.status)],
);

export const notes = pgTable(
  "notes",
  {
    id: text("id").primaryKey(),
    /** One notes row per job: saving twice (a retried or re-delivered job) is a no-op. */
    jobId: text("job_id").notNull().unique(),
    userId: text("user_id").notNull(),
    sha256: text("sha256").notNull(),
    title: text("title").notNull(),
    summary: text("summary").notNull(),
    keyPoints: jsonb("key_points").$type<string[]>().notNull(),
    outline: jsonb("outline").$type<{ title: string; page?: number | null; level: number }[]>().notNull(),
    markdown: text("markdown").notNull(),
    generator: text("generator").notNull(),
    model: text("model"),
    usage: jsonb("usage").$type<{ inputTokens: number; outputTokens: number } | null>(),
    /** Served from the cache: made for an earlier job, so this one spent nothing (usage zero). */
    cached: boolean("cached").notNull().default(false),
    /** The id of the generator's fingerprint (src/notes/fingerprint.ts). */
    fingerprint: text("fingerprint"),
    /** The pages the notes cover and where their text came from (src/notes/source.ts); null before it was kept. */
    source: jsonb("source").$type<NotesSourceRow | null>(),
    createdAt: createdAt(),
  },
  (t) => [index("notes_user_idx").on(t.userId)],
);

/** As src/notes/schema.ts's NotesSource (db/ imports nothing from src/). */
export interface NotesSourceRow {
  range: string | null;
  pages: number;
  totalPages: number;
  ocr: { pages: number; textLayerPages: number; meanConfidence: number | null };
}

export type JobRow = typeof jobs.$inferSelect;
export type NotesRow = typeof notes.$inferSelect;
export type FileRow = typeof files.$inferSelect;

/** API keys created with `bun run keys create`: only a SHA-256 digest of each key is stored. */
export const apiKeys = pgTable("api_keys", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  keyHash: text("key_hash").notNull().unique(),
  admin: boolean("admin").notNull().default(false),
  createdAt: createdAt(),
  /** A revoked key stays listed (who had access, until when) but lets nobody in. */
  revokedAt: timestamp("revoked_at", { withTimezone: true }),
});

/** Each user's webhook signing secret (HMAC-SHA256), made on first use. */
export const webhookSecrets = pgTable("webhook_secrets", {
  userId: text("user_id").primaryKey(),
  secret: text("secret").notNull(),
  /** The secret before the last rotation, still signed with until previousUntil. */
  previousSecret: text("previous_secret"),
  previousUntil: timestamp("previous_until", { withTimezone: true }),
  createdAt: createdAt(),
});
