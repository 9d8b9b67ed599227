/**
 * Settings whose values can carry a secret: keys, or URLs with credentials or tokens. An
 * error about one names the variable and what is wrong, never the value.
 */
export const SECRET_SETTINGS = [
  "FOLIO_API_KEYS",
  "DATABASE_URL",
  "REDIS_URL",
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "SUPABASE_URL",
  "SUPABASE_SERVICE_KEY",
  "ALERT_WEBHOOK_URL",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_EXPORTER_OTLP_HEADERS",
] as const;

/** A URL as it may be logged: scheme, host and path; no credentials, query or fragment. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(unparseable URL)";
  }
}

/**
 * Last line of defence for text about to be printed: the value of any secret setting in
 * `env` becomes "***", and so do the credentials of any URL.
 */
export function redactSecrets(text: string, env: Record<string, string | undefined> = process.env): string {
  let out = text;
  for (const name of SECRET_SETTINGS) {
    const value = env[name];
    if (value && value.length >= 4) out = out.split(value).join("***");
  }
  return out.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, "$1***@");
}
