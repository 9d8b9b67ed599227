/**
 * Every Redis key and channel Folio uses, in one place (as BullMQ's queue-keys.ts does for a
 * queue's): what each holds and how long it lives. All sit under FOLIO_REDIS_PREFIX, which
 * on a Redis Cluster carries a {hash tag}, so the fleet's keys share a slot and Lua scripts
 * may touch several. BullMQ's own keys (`<prefix>:<queue>:…`) are BullMQ's, not listed.
 */
export const keyspace = {
  // Admission and authentication (src/server): per-minute counters, INCR then EXPIRE 120 s.
  /** Failed authentications from one client address in a minute window. */
  authFailures: (prefix: string, client: string) => `${prefix}:authfail:${client}`,
  /** An admission counter: `name` is the limit and its window (uploads or refreshes, by user and minute). */
  admission: (prefix: string, name: string) => `${prefix}:${name}`,
  /** Tokens a user's model calls spent on one UTC day (`day` = days since the epoch); 2 days. */
  tokens: (prefix: string, userId: string, day: number | "*") => `${prefix}:tokens:${userId}:${day}`,
  /** Bytes a user uploaded on one UTC day (`day` = days since the epoch), cache hits included: FOLIO_QUOTA_BYTES_PER_DAY; 2 days. */
  uploadBytes: (prefix: string, userId: string, day: number | "*") => `${prefix}:upbytes:${userId}:${day}`,
  /** A job deleted on request: workers that still hold a stage of it drop it; 1 day. */
  erased: (prefix: string, jobId: string) => `${prefix}:erased:${jobId}`,
  /** Where the retention sweep of job texts has reached (the last finished job dealt with), kept. */
  retentionCursor: (prefix: string, kind: string) => `${prefix}:retention:cursor:${kind}`,
  /** A user's URL downloads in flight: a sorted set of leases (PEXPIRE with the lease). */
  downloadSlots: (prefix: string, userId: string) => `${prefix}:download-slots:${userId}`,

  // Work remembered between jobs.
  /** A PDF (by SHA-256) that failed pdf_too_complex, with the message: FOLIO_TOO_COMPLEX_TTL_S. */
  tooComplex: (prefix: string, sha256: string) => `${prefix}:too-complex:${sha256}`,
  /** The staged path's extracted text, between its stages: FOLIO_TEXT_TTL_S. */
  text: (prefix: string, key: string) => `${prefix}:text:${key}`,
  /** L2 notes cache entries: FOLIO_L2_TTL_S. */
  cache: (prefix: string, namespace: string, key: string) => `${prefix}:cache:${namespace}:${key}`,
  /** L2 hit and miss counters, kept. */
  cacheStats: (prefix: string, name: string) => `${prefix}:stats:cache:l2:${name}`,
  /** Single-flight lock of one cache key's work: a lease renewed while it runs. */
  flight: (prefix: string, key: string) => `${prefix}:flight:${key}`,
  /** The model's circuit breaker, shared by the fleet (cockatiel state, its own expiry). */
  aiBreaker: (prefix: string) => `${prefix}:ai-breaker`,
  /** The fleet's adaptive limit on model calls (limit, bounds, best latency, pause), kept. */
  aiLimit: (prefix: string) => `${prefix}:ai-limit`,
  /** Model-call permits held: a sorted set of leases (FOLIO_AI_TIMEOUT_MS + 5 s). */
  aiPermits: (prefix: string) => `${prefix}:ai-permits`,
  /** The fleet's tokens-per-minute bucket (FOLIO_AI_TPM), kept. */
  aiTpm: (prefix: string) => `${prefix}:ai-tpm`,
  /** Per-queue concurrency an operator set (PUT /admin/limits), kept. */
  limits: (prefix: string) => `${prefix}:limits`,

  // Boards: hashes a process writes its entry into (with a time) and any process reads.
  /** Each thread's event-loop delay; entries older than 10 s are stale. */
  loopDelay: (prefix: string) => `${prefix}:loop-delay`,
  /** Each process's extraction pool; 15 s. */
  extractPools: (prefix: string) => `${prefix}:extract-pools`,
  /** Each process's breakers; 15 s. */
  breakers: (prefix: string) => `${prefix}:breakers`,
  /** What concurrency each worker process runs each queue with; 10 s. */
  limitsRunning: (prefix: string) => `${prefix}:limits:running`,
  /** Which notes generator each worker process runs; 45 s. */
  generators: (prefix: string) => `${prefix}:generators`,
  /** The process that reports the fleet's gauges on /metrics: a lease. */
  metricsReporter: (prefix: string) => `${prefix}:metrics-reporter`,
  /** A server's probe that a worker's storage is the same: written and read at start-up. */
  storageProbe: (prefix: string) => `${prefix}:storage-probe`,

  // Monitoring counters, kept 2 hours unless said.
  /** Jobs completed and failed per queue since the start, kept. */
  counts: (prefix: string) => `${prefix}:counts`,
  /** Jobs per queue and outcome in one clock minute. */
  perMinute: (prefix: string, queue: string, outcome: string, minute: number) => `${prefix}:tp:${queue}:${outcome}:${minute}`,
  /** The same in 10-second buckets, for the sliding window. */
  per10s: (prefix: string, queue: string, outcome: string, bucket: number) => `${prefix}:tp10:${queue}:${outcome}:${bucket}`,
  /** What the retention sweep deleted, per kind (pdf, text, job), kept. */
  retentionDeleted: (prefix: string) => `${prefix}:retention:deleted`,
  /** Tokens and calls per model, kept. */
  modelUsage: (prefix: string) => `${prefix}:model-usage`,
  /** Latency histograms (HDR, one field a process) of one metric in a 10-second bucket. */
  latency10s: (prefix: string, metric: string, bucket: number) => `${prefix}:lat10:${metric}:${bucket}`,

  // Pub/sub channels.
  /** A job's state changed: SSE streams on every server. */
  jobEvents: (prefix: string) => `${prefix}:job-events`,
  /** A notes cache key was replaced: every process drops it from its L1. */
  l1Drop: (prefix: string) => `${prefix}:l1:drop`,
};
