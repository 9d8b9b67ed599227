import { context, INVALID_SPAN_CONTEXT, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

export { SpanKind } from "@opentelemetry/api";

/**
 * OpenTelemetry traces, one per job: the upload request is the root; each queue's wait and
 * processing, each stage and each model call are spans below it, across queues, threads and
 * processes (the W3C trace context travels in the job's data). Instrumented by hand: the
 * SDK's auto-instrumentation patches Node's modules, which Bun does not load.
 *
 * Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT) is set: then no provider is
 * registered, the API hands out non-recording spans, and the helpers below return early.
 */

/** The W3C headers of a span, as they travel in a job's data and the jobs row. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

let provider: TracerProvider | undefined;

export const tracingOn = () => provider !== undefined;

/** Where spans go, built once from the config (src/options.ts); no url: tracing is off. */
export interface TracingOptions {
  url?: string;
  headers: Record<string, string>;
  serviceName: string;
}

/** Starts the SDK in this thread (once), if the options name an endpoint. `thread`: "main" or a queue. */
export function startTracing(o: TracingOptions, thread: string): void {
  const { url, headers } = o;
  if (provider || !url) return;
  provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": o.serviceName, "process.pid": process.pid, "thread.name": thread }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url, headers }), scheduledDelayMillis: 1000 })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
}

/** Sends what is buffered and stops (on shutdown); startTracing may start it again. */
export async function stopTracing(): Promise<void> {
  if (!provider) return;
  await provider.shutdown().catch(() => {});
  provider = undefined;
  trace.disable();
  context.disable();
  propagation.disable();
}

const tracer = () => trace.getTracer("folio");

/** The active span's context as W3C headers (undefined when tracing is off). */
export function currentCarrier(): TraceCarrier | undefined {
  if (!provider) return undefined;
  const carrier: Partial<TraceCarrier> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? (carrier as TraceCarrier) : undefined;
}

/** The context a carrier names: a job's spans are children of its upload's. */
export function contextOf(carrier: Partial<TraceCarrier> | undefined): Context {
  return carrier?.traceparent ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}

/** The trace id in a traceparent (`00-<trace id>-<span id>-<flags>`). */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  return traceparent?.split("-")[1] ?? null;
}

/** The active span's trace id, for log lines (undefined when none is recording). */
export function activeTraceId(): string | undefined {
  if (!provider) return undefined;
  const span = trace.getSpan(context.active());
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}

interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Default: the active context. */
  parent?: Context;
}

/** Runs fn inside a span (child of the active one, or of `parent`), ended when fn settles; a throw marks it failed. */
export async function inSpan<T>(name: string, opts: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!provider) return fn(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  const parent = opts.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
    throw err;
  } finally {
    span.end();
  }
}

/** A child of the active span for something that already happened elsewhere (OCR, in an extraction thread, which has no tracer). */
export function recordChildSpan(name: string, startMs: number, endMs: number, attributes?: Attributes): void {
  recordSpan(name, context.active(), startMs, endMs, attributes);
}

/** A span for something that already happened, given its start and end (a job's queue wait). */
export function recordSpan(name: string, parent: Context, startMs: number, endMs: number, attributes?: Attributes): void {
  if (!provider) return;
  tracer().startSpan(name, { startTime: startMs, attributes }, parent).end(Math.max(startMs, endMs));
}
