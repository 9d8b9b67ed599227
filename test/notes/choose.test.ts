import { expect, test } from "bun:test";
import { chooseSummary, type Scored } from "../../src/notes/choose.ts";

const sentence = (index: number, text: string, score: number, leans = false): Scored => ({
  text,
  terms: text.toLowerCase().split(" "),
  role: "body",
  leans,
  words: text.split(" ").length,
  index,
  score,
});

const doc = [
  sentence(0, "Merge queues order the merges of a busy repository", 1),
  sentence(1, "This keeps the main branch green at all times", 9, true),
  sentence(2, "Each change is tested on top of the changes queued before it", 5),
  sentence(3, "Failed changes leave the queue and their authors are told why", 4),
];

test("a sentence that leans on the one before it is said only after that one", () => {
  const two = chooseSummary(doc, { maxSentences: 2, maxWords: 150 }).map((s) => s.index);
  expect(two).toEqual([2, 3]);
  const all = chooseSummary(doc, { maxSentences: 4, maxWords: 150 }).map((s) => s.index);
  expect(all).toEqual([0, 1, 2, 3]);
});

test("the summary keeps to its length in words and says nothing twice", () => {
  const twice = [...doc, sentence(4, doc[2]!.text, 5)];
  const chosen = chooseSummary(twice, { maxSentences: 6, maxWords: 25 });
  expect(chosen.reduce((n, s) => n + s.words, 0)).toBeLessThanOrEqual(25);
  expect(new Set(chosen.map((s) => s.text)).size).toBe(chosen.length);
});
