/** About four characters a token for the languages of our corpus: a budget estimate, not a tokenizer. */
export const CHARS_PER_TOKEN = 4;

/**
 * Splits pages into chunks of at most tokenBudget (estimated), page boundaries kept where
 * possible. Past maxChunks, an even sample is kept so a 2,000-page manual costs a bounded
 * number of calls; the first and last chunks are always in it.
 */
export function chunkPages(pages: string[], tokenBudget: number, maxChunks: number): { text: string; firstPage: number }[] {
  const budget = tokenBudget * CHARS_PER_TOKEN;
  const chunks: { text: string; firstPage: number }[] = [];
  let current = "";
  let firstPage = 1;
  const push = () => {
    if (current.trim()) chunks.push({ text: current, firstPage });
    current = "";
  };
  pages.forEach((page, i) => {
    for (let offset = 0; offset < page.length; offset += budget) {
      const part = page.slice(offset, offset + budget);
      if (current.length + part.length > budget) push();
      if (!current) firstPage = i + 1;
      current += `${part}\n`;
    }
  });
  push();
  if (chunks.length <= maxChunks) return chunks;
  const step = (chunks.length - 1) / (maxChunks - 1);
  return Array.from({ length: maxChunks }, (_, i) => chunks[Math.round(i * step)]!);
}

/** Runs fn over items with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
