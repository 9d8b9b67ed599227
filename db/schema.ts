import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

export const files = pgTable(
  "files",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    sha256: text("sha256").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    filename: text("filename").notNull(),
    storageKey: text("storage_key").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("files_user_idx").on(t.userId), index("files_sha_idx").on(t.sha256)],
);

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
    notesId: text("notes_id"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
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
    createdAt: createdAt(),
  },
  (t) => [index("notes_user_idx").on(t.userId)],
);

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
});
