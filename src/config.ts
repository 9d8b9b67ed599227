import { z } from "zod";
import { ConfigError } from "./errors/config-error.ts";
import { parseCidrs } from "./net/cidrs.ts";
import { OcrLanguageMissing, parseLanguages, resolveLanguages, type OcrLanguage } from "./extraction/ocr/languages.ts";
import { QUEUE_NAMES, type QueueName } from "./jobs/pipelines.ts";
import { SECRET_SETTINGS } from "./redact.ts";
import { parseRedisUrl } from "./redis/redis-url.ts";

const bool = (def: boolean) =>
  z
    .enum(["1", "0", "true", "false", "on", "off", "yes", "no"])
    .optional()
    .transform((v) => (v === undefined ? def : ["1", "true", "on", "yes"].includes(v)));
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`).default(def);
const port = (def: number) => int(def, 0, 65535);
/** Timers cannot wait longer than 2^31−1 ms (about 24.8 days): a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const ms = (def: number, min = 0) => int(def, min, MAX_TIMER_MS);
const seconds = (def: number, min = 0) => int(def, min, Math.floor(MAX_TIMER_MS / 1000));
const DURATION_UNITS_S = { s: 1, m: 60, h: 3600, d: 86400 } as const;
/** A duration such as `30s`, `10m`, `12h`, `7d` or `0` (seconds in Config's `retainS`). */
const duration = (def: string) => z.string().regex(/^(0|\d+[smhd])$/, "expected a duration such as 30s, 10m, 12h, 7d, or 0").default(def);
const secondsOf = (v: string) => (v === "0" ? 0 : Number(v.slice(0, -1)) * DURATION_UNITS_S[v.at(-1) as keyof typeof DURATION_UNITS_S]);

/** Every setting read from the environment (the README's configuration table is checked against it). */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  PORT: port(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  /** `bun run workers` answers /health and /ready here (0: a free port, logged with "workers ready"). */
  FOLIO_WORKER_PORT: port(0),
  FOLIO_DATA_DIR: z.string().min(1).default("./data"),

  /** One Redis, or a cluster by its seed nodes: redis+cluster://host1:7000,host2:7001 (src/redis/redis-url.ts). */
  REDIS_URL: z
    .string()
    .default("redis://127.0.0.1:6379")
    .superRefine((v, ctx) => {
      try {
        parseRedisUrl(v);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
      }
    }),
  FOLIO_REDIS_PREFIX: z.string().min(1).default("{folio}"),
  FOLIO_REDIS_AUTOSTART: bool(true),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  FOLIO_DB_POOL: int(10, 1, 1000),

  SUPABASE_URL: z.string().url().optional(),
  SUPABASE_SERVICE_KEY: z.string().min(1).optional(),
  SUPABASE_BUCKET: z.string().min(1).default("uploads"),

  /** "key:user[:admin],…"; unset = single-user dev mode on loopback. */
  FOLIO_API_KEYS: z
    .string()
    .regex(/^[^:,\s]{16,}:[A-Za-z0-9_.@-]+(:admin)?(,[^:,\s]{16,}:[A-Za-z0-9_.@-]+(:admin)?)*$/, "expected key:user[:admin],… with keys of 16+ characters")
    .optional(),

  FOLIO_PROFILE: z.enum(["optimized", "baseline"]).default("optimized"),
  FOLIO_JOB_ATTEMPTS: int(3, 1),
  FOLIO_KEEP_COMPLETED: int(1000),
  FOLIO_KEEP_FAILED: int(5000),
  FOLIO_DRAIN_TIMEOUT_MS: ms(30000),
  /** How often the reconciler looks for accepted jobs Redis no longer has, and how old (since their last write) they must be. */
  FOLIO_RECONCILE_INTERVAL_MS: ms(60000, 100),
  FOLIO_RECONCILE_GRACE_MS: ms(120000, 0),

  /** The server may hold twice this in memory per upload (Bun's body limit is set above it). */
  MAX_UPLOAD_MB: z.coerce.number().positive("must be more than 0").max(4096, "must be at most 4096").default(50),
  FOLIO_MAX_PAGES: int(5000, 1),
  FOLIO_MIN_TEXT_CHARS: int(50),
  FOLIO_TEXT_TTL_S: seconds(3600, 1),

  FOLIO_STATUS_FLUSH_MS: ms(50, 1),
  FOLIO_STATUS_BATCH: int(200, 1),
  FOLIO_STATUS_MAX_PENDING: int(10000, 1),

  FOLIO_RATE_LIMIT_PER_MIN: int(120, 1),
  /** Failed authentications per client address per minute before it gets 429s (shared by every server). */
  FOLIO_AUTH_FAILURES_PER_MIN: int(30, 1),
  /** Proxies (CIDRs) whose X-Forwarded-For names the client that failed authentications count against. */
  FOLIO_TRUSTED_PROXIES: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      try {
        parseCidrs(v);
      } catch {
        ctx.addIssue({ code: "custom", message: "expected comma-separated addresses or CIDRs, e.g. 10.0.0.0/8,fd00::/8" });
      }
    }),
  /** Uploads with refresh=true per user per minute: each one spends model calls, unlike a cached upload. */
  FOLIO_REFRESH_PER_MIN: int(10, 1),
  /** Model tokens (input + output) a user may spend per UTC day; 0 = no budget. */
  FOLIO_USER_TOKENS_PER_DAY: int(0),
  /** Bytes of stored PDFs a user may keep (each stored copy once), and bytes a user may upload per UTC day (cache hits included); 0 = no limit. */
  FOLIO_QUOTA_BYTES: int(0),
  FOLIO_QUOTA_BYTES_PER_DAY: int(0),
  /**
   * How long after its job ends each kind of data is kept: the uploaded PDF
   * (0: deleted as soon as the job is final), the job's extracted text, the job row with its
   * queue records (its notes stay). A sweeper looks every FOLIO_RETENTION_INTERVAL_S.
   */
  FOLIO_RETAIN_PDF: duration("7d"),
  FOLIO_RETAIN_TEXT: duration("7d"),
  FOLIO_RETAIN_JOBS: duration("90d"),
  FOLIO_RETENTION_INTERVAL_S: seconds(600, 1),
  FOLIO_MAX_IN_FLIGHT_PER_USER: int(200, 1),
  /** on: each user's k-th unfinished job is queued at priority k, so no user's backlog holds back another's first job; off: first come, first served. */
  FOLIO_FAIR_SHARES: z.enum(["on", "off"]).optional(),
  FOLIO_UPLOAD_TIMEOUT_MS: ms(120000, 100),
  /** Upload bodies still arriving, per user and per server process (429 / 503 past them). */
  FOLIO_MAX_UPLOADS_IN_PROGRESS_PER_USER: int(16, 1),
  FOLIO_MAX_UPLOADS_IN_PROGRESS: int(64, 1),
  /** Open GET /jobs/:id/events streams, per user and per server process. */
  FOLIO_MAX_STREAMS_PER_USER: int(50, 1),
  FOLIO_MAX_STREAMS: int(2000, 1),
  /** A comment line this often on an event stream, well inside proxies' and Bun's idle timeouts. */
  FOLIO_SSE_KEEPALIVE_MS: ms(15000, 100),
  /** The corpus's largest PDF (2,415 pages) extracts in ~8 s: a wide margin over it. */
  FOLIO_EXTRACT_TIMEOUT_MS: ms(60000, 100),
  /**
   * What one extraction may add to the process's RSS, in MB, watched from outside the thread;
   * the corpus's largest PDF (2,415 pages) adds ~320 MB.
   */
  FOLIO_EXTRACT_MAX_RSS_MB: int(1024, 64),
  /** Non-space characters of text at most; the 3.7 M-character R manual passes. */
  FOLIO_MAX_TEXT_CHARS: int(8_000_000, 1),
  /** Extraction threads; 0 means one per core (os.availableParallelism()). */
  FOLIO_EXTRACT_THREADS: int(0),
  /** PDFs over this many pages may hold at most N−1 of the N extraction threads. */
  FOLIO_EXTRACT_LARGE_PAGES: int(500, 1),
  /** How long a PDF that failed pdf_too_complex is remembered (by SHA-256) and refused at once. */
  FOLIO_TOO_COMPLEX_TTL_S: seconds(86400, 1),
  /** OCR languages, `eng+fra` (traineddata from npm or FOLIO_OCR_DATA_DIR; checked at start-up). */
  FOLIO_OCR_LANGS: z.string().min(1).default("eng"),
  /** A folder of `.traineddata` files, e.g. Debian's /usr/share/tesseract-ocr/5/tessdata. */
  FOLIO_OCR_DATA_DIR: z.string().min(1).optional(),
  /** Resolution pages are rendered at for OCR: 200 reads body text of scans as well as 300, in half the time. */
  FOLIO_OCR_DPI: int(200, 50),
  /** Each OCR'd page's budget (a page takes 3–5 s on one core): past it the thread is replaced and the job fails ocr_timeout. */
  FOLIO_OCR_PAGE_TIMEOUT_MS: ms(60000, 100),
  /** A PDF with more pages to OCR fails ocr_too_many_pages (unless a page range was asked for). */
  FOLIO_OCR_MAX_PAGES: int(300, 1),

  /** Lets uploads by URL and webhooks reach loopback and private networks (off: SSRF guard). */
  FOLIO_ALLOW_PRIVATE_URLS: bool(false),
  /** Ports uploads by URL and webhooks may reach ("any" for every port): not a port scanner for whoever can upload. */
  FOLIO_URL_ALLOWED_PORTS: z
    .string()
    .regex(/^(any|\d{1,5}(,\d{1,5})*)$/, 'expected "any" or comma-separated port numbers, e.g. 80,443')
    .refine((v) => v === "any" || v.split(",").every((p) => Number(p) >= 1 && Number(p) <= 65535), "ports are 1 to 65535")
    .default("80,443"),
  FOLIO_URL_TIMEOUT_MS: ms(60000, 100),
  FOLIO_URL_RETRIES: int(2),
  FOLIO_URL_BACKOFF_MS: ms(500, 1),
  FOLIO_URL_MAX_REDIRECTS: int(5),
  /** Downloads by URL one user may have running at once, across every worker (the others wait, spending no attempt). */
  FOLIO_URL_FETCHES_PER_USER: int(3, 1),
  /** A download slower than this on average after FOLIO_URL_MIN_RATE_GRACE_MS is cut (download_too_slow, retried). */
  FOLIO_URL_MIN_BYTES_PER_S: int(10240),
  FOLIO_URL_MIN_RATE_GRACE_MS: ms(5000, 100),
  FOLIO_WEBHOOK_ATTEMPTS: int(8, 1),
  FOLIO_WEBHOOK_BACKOFF_MS: ms(2000, 1),
  FOLIO_WEBHOOK_TIMEOUT_MS: ms(10000, 100),
  /** After a rotation, how long the previous webhook secret still signs deliveries. */
  FOLIO_WEBHOOK_SECRET_GRACE_S: seconds(86400),

  /** Bull Board at /admin/queues: readonly (default), full (retry, remove, add) or off. */
  FOLIO_BULL_BOARD: z.enum(["readonly", "full", "off"]).default("readonly"),
  FOLIO_CACHE: z.enum(["on", "off"]).default("on"),
  /** user: one user's cached notes never answer another's upload (global shares them, and tells who uploaded a PDF first). */
  FOLIO_CACHE_SCOPE: z.enum(["global", "user"]).default("user"),
  FOLIO_L1_ENTRIES: int(100, 1),
  FOLIO_L1_SLOT_KB: int(64, 1, 65536),
  FOLIO_L1_TTL_S: seconds(60, 1),
  FOLIO_L2_TTL_S: seconds(86400, 1),
  FOLIO_SINGLE_FLIGHT_WAIT_S: seconds(300, 1),

  /** OpenTelemetry (the standard variables): traces go to OTLP/HTTP when an endpoint is set. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  /** `key=value,…` headers for the collector (an API key, say). */
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .regex(/^\s*[^=,\s]+\s*=[^,]*(,\s*[^=,\s]+\s*=[^,]*)*$/, "expected key=value pairs separated by commas")
    .optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default("folio"),
  OTEL_SDK_DISABLED: bool(false),

  FOLIO_NOTES: z.enum(["ai", "extractive"]).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  FOLIO_MODEL: z.string().min(1).default("gpt-5-mini"),
  FOLIO_OPENAI_API: z.enum(["chat", "responses"]).optional(),
  FOLIO_AI_CHUNK_TOKENS: int(6000, 500),
  FOLIO_AI_MAX_CHUNKS: int(24, 2),
  FOLIO_AI_PARALLEL: int(3, 1),
  FOLIO_AI_TIMEOUT_MS: ms(30000, 100),
  FOLIO_AI_FALLBACK: z.enum(["none", "extractive"]).default("none"),
  /** off: no circuit breaker around model calls (their timeout stays): the seed's "before". */
  FOLIO_BREAKER: z.enum(["on", "off"]).default("on"),
  FOLIO_BREAKER_FAILURES: int(5, 1),
  /** The breaker also opens when this share of the last FOLIO_BREAKER_WINDOW calls failed (window 0: never). */
  FOLIO_BREAKER_WINDOW: int(20, 0, 1000),
  FOLIO_BREAKER_FAILURE_RATE: z.coerce.number().gt(0, "must be more than 0").max(1, "must be at most 1").default(0.5),
  FOLIO_BREAKER_HALF_OPEN_MS: ms(60000, 100),
  /** adaptive: one limit on model calls in flight for the whole fleet, tuned by latency and 429s; off: per-process concurrency only. */
  FOLIO_AI_LIMIT: z.enum(["adaptive", "off"]).optional(),
  FOLIO_AI_CONCURRENCY_MIN: int(2, 1),
  FOLIO_AI_CONCURRENCY_MAX: int(64, 1),
  /** Model tokens (input + output) the whole fleet may spend per minute; calls wait for them. 0 = no budget. */
  FOLIO_AI_TPM: int(0),

  FOLIO_METRICS_LOG_EVERY: int(10, 1),
  FOLIO_HEALTH_INTERVAL_MS: ms(30000, 100),
  ALERT_WEBHOOK_URL: z.string().url().optional(),
  FOLIO_ALERT_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0.1),
  FOLIO_ALERT_MIN_THROUGHPUT: z.coerce.number().min(0).default(5),
  FOLIO_ALERT_MAX_WAITING: int(100),
  FOLIO_ALERT_MAX_AVG_MS: ms(30000),
  FOLIO_ALERT_WINDOW_MIN: int(5, 1),

  FOLIO_NOTES_SENTENCES: int(6, 1),
  FOLIO_NOTES_KEY_POINTS: int(8, 1),
});

/** Per-queue overrides, e.g. FOLIO_PDF_EXTRACT_CONCURRENCY=4 or FOLIO_AI_NOTES_LIMITER_MAX=0 (0 = no limiter). */
export const QUEUE_KNOBS = {
  CONCURRENCY: "concurrency",
  LIMITER_MAX: "limiterMax",
  DRAIN_DELAY_S: "drainDelay",
  LOCK_DURATION_MS: "lockDuration",
  STALLED_INTERVAL_MS: "stalledInterval",
} as const;

export type QueueOverrides = Partial<Record<(typeof QUEUE_KNOBS)[keyof typeof QUEUE_KNOBS], number>>;

export type Config = z.infer<typeof EnvSchema> & {
  queueOverrides: Record<QueueName, QueueOverrides>;
  maxUploadBytes: number;
  /** FOLIO_RETAIN_PDF, _TEXT and _JOBS in seconds. */
  retainS: { pdf: number; text: number; jobs: number };
  /** FOLIO_OCR_LANGS, each found on this machine. */
  ocrLanguages: OcrLanguage[];
};

function queueEnvName(queue: QueueName, knob: string): string {
  return `FOLIO_${queue.toUpperCase().replace(/-/g, "_")}_${knob}`;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", as in most shells' `VAR= cmd`.
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(clean);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? "environment");
    const shown = (SECRET_SETTINGS as readonly string[]).includes(name) ? " (value not shown: it may hold a secret)" : `=${JSON.stringify(clean[name] ?? "")}`;
    throw new ConfigError(`Invalid ${name}${shown}: ${issue.message}`);
  }
  const queueOverrides = {} as Record<QueueName, QueueOverrides>;
  for (const queue of QUEUE_NAMES) {
    const overrides: QueueOverrides = {};
    for (const [suffix, key] of Object.entries(QUEUE_KNOBS)) {
      const name = queueEnvName(queue, suffix);
      const raw = clean[name];
      if (raw === undefined) continue;
      const value = (suffix.endsWith("_MS") ? ms(0) : suffix.endsWith("_S") ? seconds(0) : int(0)).safeParse(raw);
      if (!value.success) throw new ConfigError(`Invalid ${name}=${JSON.stringify(raw)}: ${value.error.issues[0]!.message}`);
      overrides[key] = value.data;
    }
    queueOverrides[queue] = overrides;
  }
  if (parseRedisUrl(parsed.data.REDIS_URL).kind === "cluster" && !/\{[^{}]+\}/.test(parsed.data.FOLIO_REDIS_PREFIX)) {
    // The staged flow's queues and every multi-key script must live in one cluster slot.
    throw new ConfigError(`Invalid FOLIO_REDIS_PREFIX=${JSON.stringify(parsed.data.FOLIO_REDIS_PREFIX)}: on a Redis Cluster it needs a {hash tag}, e.g. {folio}`);
  }
  if (parsed.data.FOLIO_AI_CONCURRENCY_MIN > parsed.data.FOLIO_AI_CONCURRENCY_MAX) {
    throw new ConfigError(`Invalid FOLIO_AI_CONCURRENCY_MIN=${parsed.data.FOLIO_AI_CONCURRENCY_MIN}: more than FOLIO_AI_CONCURRENCY_MAX=${parsed.data.FOLIO_AI_CONCURRENCY_MAX}`);
  }
  if (parsed.data.SUPABASE_URL && !parsed.data.SUPABASE_SERVICE_KEY) {
    throw new ConfigError("Invalid SUPABASE_SERVICE_KEY: required when SUPABASE_URL is set");
  }
  let ocrLanguages: OcrLanguage[];
  try {
    ocrLanguages = resolveLanguages(parseLanguages(parsed.data.FOLIO_OCR_LANGS), parsed.data.FOLIO_OCR_DATA_DIR);
  } catch (err) {
    if (err instanceof OcrLanguageMissing) throw new ConfigError(err.message);
    throw err;
  }
  const retainS = { pdf: secondsOf(parsed.data.FOLIO_RETAIN_PDF), text: secondsOf(parsed.data.FOLIO_RETAIN_TEXT), jobs: secondsOf(parsed.data.FOLIO_RETAIN_JOBS) };
  return { ...parsed.data, queueOverrides, retainS, maxUploadBytes: Math.floor(parsed.data.MAX_UPLOAD_MB * 1024 * 1024), ocrLanguages };
}

let cached: Config | undefined;

/** The process's config, validated once. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
