/**
 * A worker process's model calls, stripped to the limit: `calls` requests to an OpenAI
 * stand-in, all at once, each through the fleet's AiLimiter (a 429 pauses the fleet and is
 * sent again). Settings as JSON in LIMITER_CLIENT. Prints `{"done":n}` when every call is
 * answered. Used by test/resilience/ai-limiter.test.ts as the other process.
 */
import { Redis } from "ioredis";
import { AiLimiter, type LimiterOptions } from "../../src/resilience/ai-limiter.ts";
import { pushbackUntil, PushedBack } from "../../src/resilience/pushback.ts";

export interface ClientSettings extends LimiterOptions {
  prefix: string;
  url: string;
  calls: number;
}

/** One chat completion; a 429 becomes the fleet's pause, as in src/notes/ai.ts. */
export async function chat(url: string): Promise<void> {
  const res = await fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "<document>A sentence long enough to be written down as a key point.</document>" }] }),
  });
  if (res.status === 429) throw new PushedBack(pushbackUntil(Object.fromEntries(res.headers)));
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  await res.json();
}

if (import.meta.main) {
  const settings = JSON.parse(process.env.LIMITER_CLIENT!) as ClientSettings;
  const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  const limiter = new AiLimiter(settings, redis, settings.prefix);
  await Promise.all(Array.from({ length: settings.calls }, () => limiter.run(() => chat(settings.url), () => "error")));
  console.log(JSON.stringify({ done: settings.calls }));
  await redis.quit();
}
