/**
 * STAND-IN for OpenAI (unreachable here): a real HTTP server on 127.0.0.1 that speaks the
 * wire protocol @ai-sdk/openai uses — POST /v1/chat/completions and POST /v1/responses —
 * and answers with schema-valid notes built from the prompt's own text. Knobs: latency
 * (fixed or log-normal), error rate and status, Retry-After, hanging, malformed output.
 * Used by tests and by bench/.
 */
export interface StandInKnobs {
  /** Fixed latency in ms, or a log-normal by median and p95. */
  latencyMs?: number | { median: number; p95: number };
  /** Share of requests answered with `errorStatus` (0–1). */
  errorRate?: number;
  errorStatus?: number;
  /** The error's message (a provider's own words, which may name the account). */
  errorMessage?: string;
  /** Retry-After seconds sent with 429s. */
  retryAfterS?: number;
  /** Share of requests that never answer (0–1). */
  hangRate?: number;
  /** Share of answers whose JSON does not fit the schema (0–1). */
  malformedRate?: number;
  /** Answer the next N requests with `errorStatus`, whatever the rates say. */
  failNext?: number;
  /** Answer the next N requests with JSON that does not fit the schema (usage still counted). */
  malformedNext?: number;
  /** Appended to every summary: tells notes written after a change from those before. */
  tag?: string;
  /** A provider's capacity (replaces latencyMs and errorRate when set). */
  capacity?: Capacity;
}

/**
 * Up to `k` calls in flight at `baseMs`; beyond that the calls share it (latency grows as
 * baseMs × inFlight / k, queueing); beyond `m` in flight, 429 with Retry-After; with `rpm`,
 * 429 past that many calls answered in the last minute.
 */
export interface Capacity {
  baseMs: number;
  k: number;
  m: number;
  retryAfterS: number;
  rpm?: number;
}

export interface StandIn {
  url: string;
  knobs: StandInKnobs;
  /** Every request (when it arrived, when it was answered), with the tokens its answer reported (0 for an error). */
  calls: { path: string; arrivedAt: number; at: number; status: number; model: string; inputTokens: number; outputTokens: number }[];
  /** Requests being answered now, and the most there ever were at once. */
  inFlight(): number;
  peakInFlight: number;
  stop(): Promise<void>;
}

function gaussian(): number {
  const u = 1 - Math.random();
  const v = Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function latency(k: StandInKnobs["latencyMs"]): number {
  if (k === undefined) return 0;
  if (typeof k === "number") return k;
  const sigma = Math.log(k.p95 / k.median) / 1.645;
  return Math.exp(Math.log(k.median) + sigma * gaussian());
}

/** Notes from the prompt: sentences of the document text the model was sent. */
function notesFrom(prompt: string, tag?: string) {
  const doc = prompt.split("<document>")[1]?.split("</document>")[0] ?? prompt;
  const sentences = doc
    .replace(/\s+/g, " ")
    .split(/(?<=[.!?])\s+/)
    .filter((s) => s.length > 30 && s.length < 300);
  const pick = sentences.length ? sentences : [doc.slice(0, 200) || "Empty document."];
  return {
    title: (doc.trim().split(/\s+/).slice(0, 8).join(" ") || "Untitled").slice(0, 200),
    summary: pick.slice(0, 3).join(" ") + (tag ? ` ${tag}` : ""),
    keyPoints: pick.slice(0, 5),
    outline: [{ title: "Overview", level: 1, page: null }],
  };
}

/** 429 (with the capacity's Retry-After) or the latency this call gets, given the calls in flight. */
function admit(c: Capacity, inFlight: number, answeredLastMinute: number): { rejected: true } | { rejected: false; ms: number } {
  if (inFlight > c.m || (c.rpm !== undefined && answeredLastMinute >= c.rpm)) return { rejected: true };
  return { rejected: false, ms: c.baseMs * Math.max(1, inFlight / c.k) };
}

export function startOpenAIStandIn(knobs: StandInKnobs = {}): StandIn {
  const calls: StandIn["calls"] = [];
  let inFlight = 0;
  const standIn = {
    url: "",
    knobs,
    calls,
    inFlight: () => inFlight,
    peakInFlight: 0,
    stop: () => server.stop(true),
  };
  const answeredSince = (at: number) => {
    let n = 0;
    for (let i = calls.length - 1; i >= 0 && calls[i]!.at >= at; i--) if (calls[i]!.status === 200) n++;
    return n;
  };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      inFlight++;
      standIn.peakInFlight = Math.max(standIn.peakInFlight, inFlight);
      try {
        return await answer(req);
      } finally {
        inFlight--;
      }
    },
  });
  standIn.url = `http://127.0.0.1:${server.port}/v1`;

  async function answer(req: Request): Promise<Response> {
    const arrivedAt = Date.now();
    const path = new URL(req.url).pathname;
    const body = (await req.json().catch(() => ({}))) as any;
    const record = (status: number, inputTokens = 0, outputTokens = 0) => calls.push({ path, arrivedAt, at: Date.now(), status, model: body.model, inputTokens, outputTokens });
    if (knobs.capacity) {
      const verdict = admit(knobs.capacity, inFlight, answeredSince(Date.now() - 60_000));
      if (verdict.rejected) {
        record(429);
        return Response.json(
          { error: { message: "stand-in over capacity", type: "rate_limit_error", code: null } },
          { status: 429, headers: { "retry-after": String(knobs.capacity.retryAfterS) } },
        );
      }
      await Bun.sleep(verdict.ms);
    }
    if (Math.random() < (knobs.hangRate ?? 0)) {
      record(0);
      return new Promise<Response>(() => {});
    }
    if (!knobs.capacity) await Bun.sleep(latency(knobs.latencyMs));
    const forced = (knobs.failNext ?? 0) > 0;
    if (forced) knobs.failNext! -= 1;
    if (forced || Math.random() < (knobs.errorRate ?? 0)) {
      const status = knobs.errorStatus ?? 500;
      record(status);
      const headers: Record<string, string> = {};
      if (status === 429 && knobs.retryAfterS !== undefined) headers["retry-after"] = String(knobs.retryAfterS);
      return Response.json({ error: { message: knobs.errorMessage ?? "stand-in failure", type: "server_error", code: null } }, { status, headers });
    }
    const prompt =
      path === "/v1/responses"
        ? JSON.stringify(body.input)
        : (body.messages as { content: unknown }[]).map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content))).join("\n");
    const text = prompt.replace(/\\n/g, "\n").replace(/\\"/g, '"');
    const malformed = (knobs.malformedNext ?? 0) > 0;
    if (malformed) knobs.malformedNext! -= 1;
    const notes = malformed || Math.random() < (knobs.malformedRate ?? 0) ? { title: 42, summary: null } : notesFrom(text, knobs.tag);
    const content = JSON.stringify(notes);
    const usage = { input: Math.ceil(text.length / 4), output: Math.ceil(content.length / 4) };
    record(200, usage.input, usage.output);
    if (path === "/v1/responses") {
      return Response.json({
        id: `resp_${crypto.randomUUID()}`,
        object: "response",
        created_at: Math.floor(Date.now() / 1000),
        status: "completed",
        model: body.model,
        output: [
          {
            type: "message",
            id: `msg_${crypto.randomUUID()}`,
            status: "completed",
            role: "assistant",
            content: [{ type: "output_text", text: content, annotations: [] }],
          },
        ],
        usage: { input_tokens: usage.input, output_tokens: usage.output, total_tokens: usage.input + usage.output },
      });
    }
    if (path === "/v1/chat/completions") {
      return Response.json({
        id: `chatcmpl-${crypto.randomUUID()}`,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
      });
    }
    return Response.json({ error: { message: `no route ${path}` } }, { status: 404 });
  }
  return standIn;
}
