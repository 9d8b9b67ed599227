import { createOpenAI } from "@ai-sdk/openai";
import { z } from "zod";
import type { Span } from "@opentelemetry/api";
import { APICallError, NoObjectGeneratedError, generateText, Output, type LanguageModel } from "ai";
import { log } from "../log.ts";
import { BreakerOpen, type AiBreaker } from "../resilience/ai-breaker.ts";
import type { AiLimiter, CallOutcome } from "../resilience/ai-limiter.ts";
import type { TokenBucket } from "../resilience/token-bucket.ts";
import { exhaustedUntil, pushbackUntil, PushedBack } from "../resilience/pushback.ts";
import { inSpan, SpanKind } from "../tracing/tracing.ts";
import { NotYet, PipelineError } from "../errors/pipeline-error.ts";
import type { ExtractedText } from "../extraction/extract.ts";
import { chunkPages, mapLimit } from "./chunks.ts";
import { sha256Hex } from "../crypto/sha256.ts";
import { fingerprintOf, type GeneratorFingerprint, type ReaderSetting } from "./fingerprint.ts";
import type { NotesGenerator } from "./generator.ts";
import { NotesContentSchema, NotesSchema, notesMarkdown, type NotesContent } from "./schema.ts";

export interface AiOptions extends ReaderSetting {
  apiKey?: string;
  baseURL?: string;
  model: string;
  /** Which OpenAI endpoint: `chat` (/v1/chat/completions, what compatible servers speak) or `responses`. */
  api: "chat" | "responses";
  chunkTokens: number;
  maxChunks: number;
  parallel: number;
  /** Hears every model call's tokens, whatever became of the call: what was spent, counted where it was spent. */
  onCall?: (call: ModelCall) => void;
}

export interface ModelCall {
  model: string;
  outcome: "ok" | "invalid_output" | "error";
  inputTokens: number;
  outputTokens: number;
}

const SYSTEM =
  "You write study notes about a document. Answer only with JSON matching the schema: a title, " +
  "a summary of 3 to 6 sentences, 5 to 10 key points (one sentence each, using the document's own terms), " +
  "and an outline of its sections (level 1 to 3, page number when known, else null). " +
  "Write in the document's language. Use only what the document says.";

/** Changes with the prompt or the schema the model answers to, so notes asked for differently are not reused. */
const PROMPT_VERSION = sha256Hex(SYSTEM + JSON.stringify(z.toJSONSchema(NotesContentSchema))).slice(0, 12);

/** The endpoint's host (not its path or credentials), API kind, model, prompt and chunking. */
export function aiFingerprint(opts: AiOptions): GeneratorFingerprint {
  return fingerprintOf(
    "ai",
    {
      host: opts.baseURL ? new URL(opts.baseURL).host : "api.openai.com",
      api: opts.api,
      model: opts.model,
      prompt: PROMPT_VERSION,
      chunkTokens: opts.chunkTokens,
      maxChunks: opts.maxChunks,
    },
    opts,
  );
}

interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** What the fleet puts between a job and the model besides the breaker (each optional). */
export interface CallGuards {
  /** The fleet's adaptive limit on calls in flight (FOLIO_AI_LIMIT). */
  limiter?: AiLimiter;
  /** The fleet's tokens-per-minute bucket (FOLIO_AI_TPM). */
  tokens?: TokenBucket;
}

/** Taken from the tokens-per-minute bucket for the answer before it is known; settled against the real usage after. */
const ANSWER_TOKENS = 1000;

/**
 * Notes by a model through the AI SDK, validated by the same zod schema as the offline
 * generator. Long documents: notes per chunk (bounded parallelism), then one merge call.
 * Every call goes through the circuit breaker; the SDK's own retries are off, so retrying
 * is BullMQ's job (with backoff) and the breaker sees every failure. With the fleet's
 * tokens-per-minute bucket, a call first waits for its tokens; with its adaptive limit, it
 * then takes a permit, and a 429 is waited out and sent again.
 */
export function aiGenerator(opts: AiOptions, breaker: AiBreaker, { limiter, tokens }: CallGuards = {}): NotesGenerator {
  const provider = createOpenAI({ apiKey: opts.apiKey ?? "not-needed", baseURL: opts.baseURL });
  const model: LanguageModel = opts.api === "chat" ? provider.chat(opts.model) : provider.responses(opts.model);
  const fingerprint = aiFingerprint(opts);
  const spent = (usage: Usage, span: Span, outcome: ModelCall["outcome"], tokens?: { inputTokens?: number; outputTokens?: number }) => {
    const call = { model: opts.model, outcome, inputTokens: tokens?.inputTokens ?? 0, outputTokens: tokens?.outputTokens ?? 0 };
    usage.inputTokens += call.inputTokens;
    usage.outputTokens += call.outputTokens;
    span.setAttributes({ "gen_ai.usage.input_tokens": call.inputTokens, "gen_ai.usage.output_tokens": call.outputTokens, "folio.outcome": outcome });
    opts.onCall?.(call);
  };
  const once = (prompt: string) =>
    breaker.call(async (abortSignal) => {
      try {
        return await generateText({ model, system: SYSTEM, prompt, output: Output.object({ schema: NotesContentSchema }), maxRetries: 0, abortSignal });
      } catch (err) {
        // A 429 is the provider answering, not failing: the breaker does not count it, with a limit or without.
        if (APICallError.isInstance(err) && err.statusCode === 429) {
          const now = Date.now();
          const until = pushbackUntil(err.responseHeaders, now);
          throw new PushedBack(until, until - now);
        }
        throw err;
      }
    });
  const limited = (prompt: string) =>
    limiter ? limiter.run(() => once(prompt), outcomeOf, (result) => exhaustedUntil(result.response.headers)) : once(prompt);
  const send = async (prompt: string) => {
    if (!tokens) return limited(prompt);
    // ≈4 characters a token, as the chunking counts them.
    const estimate = Math.ceil((SYSTEM.length + prompt.length) / 4) + ANSWER_TOKENS;
    await tokens.take(estimate);
    const result = await limited(prompt);
    await tokens.settle(estimate, (result.usage.inputTokens ?? 0) + (result.usage.outputTokens ?? 0));
    return result;
  };
  /** One call, as a span of the job's trace with its token counts; undefined: ask again. */
  const call = (prompt: string, usage: Usage, attempt: number) =>
    inSpan(`chat ${opts.model}`, { kind: SpanKind.CLIENT, attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": opts.model } }, async (span) => {
      try {
        const result = await send(prompt);
        spent(usage, span, "ok", result.usage);
        return result.output;
      } catch (err) {
        // The breaker is open or the provider paused the fleet for long: the job waits, its attempts untouched.
        if (err instanceof NotYet) throw err;
        if (NoObjectGeneratedError.isInstance(err)) {
          spent(usage, span, "invalid_output", err.usage);
          if (attempt < 2) return undefined;
          log.warn({ raw: (err.text ?? "").slice(0, 500), model: opts.model }, "model answer failed the notes schema twice");
          throw new PipelineError("ai_invalid_output", "the model's answer did not fit the notes schema (twice)");
        }
        spent(usage, span, "error");
        throw asPipelineError(err);
      }
    });
  const ask = async (prompt: string, usage: Usage): Promise<NotesContent> => {
    for (let attempt = 1; ; attempt++) {
      const answer = await call(prompt, usage, attempt);
      if (answer) return answer;
    }
  };

  return {
    name: "ai",
    fingerprint,
    async generate(doc: ExtractedText) {
      const usage: Usage = { inputTokens: 0, outputTokens: 0 };
      const chunks = chunkPages(doc.pages, opts.chunkTokens, opts.maxChunks);
      let content: NotesContent;
      if (chunks.length <= 1) {
        content = await ask(`<document>\n${chunks[0]?.text ?? ""}\n</document>`, usage);
      } else {
        const parts = await mapLimit(chunks, opts.parallel, (c, i) =>
          ask(`Part ${i + 1} of ${chunks.length}, starting on page ${c.firstPage}.\n<document>\n${c.text}\n</document>`, usage),
        );
        content = await ask(
          "Merge these notes on consecutive parts of one document into notes on the whole document.\n" +
            `<document>\n${JSON.stringify(parts)}\n</document>`,
          usage,
        );
      }
      // The PDF's own outline (bookmarks or headings) beats one a model rebuilt from chunks.
      if (doc.headings.length > 0) content.outline = doc.headings.slice(0, 100);
      if (doc.title) content.title = doc.title.slice(0, 300);
      return NotesSchema.parse({
        ...content,
        markdown: notesMarkdown(content),
        generator: "ai",
        model: opts.model,
        usage: { ...usage },
        fingerprint: fingerprint.id,
      });
    },
  };
}

/** A schema miss is still an answer: its latency tells the limit as much as a good one. */
function outcomeOf(err: unknown): CallOutcome {
  if (err instanceof BreakerOpen) return "unsent";
  return NoObjectGeneratedError.isInstance(err) ? "ok" : "error";
}

/** Rate limits keep the provider's Retry-After (or reset, else a second); everything else is a retryable outage. */
function asPipelineError(err: unknown): PipelineError {
  if (err instanceof PipelineError) return err;
  if (err instanceof PushedBack) return new PipelineError("ai_unavailable", "the model endpoint is rate limiting (429)", true, err.afterMs);
  // The provider's own text can quote the request, an account or a key's prefix: logs only.
  const detail = (err instanceof Error ? err.message : String(err)).slice(0, 300);
  const status = APICallError.isInstance(err) ? err.statusCode : undefined;
  const reason = status ? `the model endpoint answered HTTP ${status}` : "the model endpoint could not be reached in time";
  return new PipelineError("ai_unavailable", reason, true, undefined, detail);
}
