/**
 * A local OTLP/HTTP trace receiver: what a collector does first, on 127.0.0.1. It takes
 * the JSON encoding that @opentelemetry/exporter-trace-otlp-http sends to POST /v1/traces
 * and keeps every span, flattened, with its resource's attributes.
 */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  startMs: number;
  endMs: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

export interface OtlpReceiver {
  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  stop(): Promise<void>;
}

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
const valueOf = (v: AnyValue) => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.doubleValue ?? v.boolValue));
const attributesOf = (list: { key: string; value: AnyValue }[] = []) => Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));

export function startOtlpReceiver(): OtlpReceiver {
  const spans: ReceivedSpan[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      if (req.method !== "POST" || new URL(req.url).pathname !== "/v1/traces") return new Response("not found", { status: 404 });
      if (!(req.headers.get("content-type") ?? "").includes("json")) return new Response("JSON only", { status: 415 });
      const body = (await req.json()) as { resourceSpans?: any[] };
      for (const rs of body.resourceSpans ?? []) {
        const resource = attributesOf(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId || undefined,
              name: s.name,
              kind: s.kind,
              startMs: Number(BigInt(s.startTimeUnixNano) / 1_000_000n),
              endMs: Number(BigInt(s.endTimeUnixNano) / 1_000_000n),
              attributes: attributesOf(s.attributes),
              resource,
            });
          }
        }
      }
      return Response.json({ partialSuccess: {} });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, spans, stop: () => server.stop(true) };
}

/**
 * Run as a process of its own (`bun test/support/otlp-receiver.ts`), as a collector would
 * be: prints its URL on the first line, and answers GET /spans with the number received.
 */
if (import.meta.main) {
  const receiver = startOtlpReceiver();
  const stats = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => Response.json({ spans: receiver.spans.length }) });
  console.log(JSON.stringify({ url: receiver.url, stats: `http://127.0.0.1:${stats.port}/spans` }));
}
