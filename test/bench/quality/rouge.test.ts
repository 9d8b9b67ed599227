import { expect, test } from "bun:test";
import { rougeL, rougeN, tokens } from "../../../bench/quality/rouge.ts";

test("tokens: lower-cased words, punctuation dropped, each Han character a word", () => {
  expect(tokens("The Cat, the HAT.")).toEqual(["the", "cat", "the", "hat"]);
  expect(tokens("数据序列化")).toEqual(["数", "据", "序", "列", "化"]);
});

test("ROUGE-1 and ROUGE-2 F1 match hand counts", () => {
  const ref = tokens("the cat sat on the mat");
  const cand = tokens("the cat lay on the mat");
  // Unigrams: 5 of 6 on each side.
  expect(rougeN(cand, ref, 1)).toBeCloseTo(5 / 6, 10);
  // Bigrams: "the cat", "on the", "the mat": 3 of 5 each.
  expect(rougeN(cand, ref, 2)).toBeCloseTo(3 / 5, 10);
  // Clipped: "the the the" against a reference with two "the" counts twice (P 2/3, R 2/6).
  expect(rougeN(tokens("the the the"), ref, 1)).toBeCloseTo(4 / 9, 10);
  expect(rougeN(ref, ref, 2)).toBe(1);
  expect(rougeN(tokens("dogs bark"), ref, 1)).toBe(0);
});

test("ROUGE-L F1 is the longest common subsequence", () => {
  const ref = tokens("police killed the gunman");
  // LCS "police the gunman" = 3 of 4 on each side.
  expect(rougeL(tokens("police kill the gunman"), ref)).toBeCloseTo(3 / 4, 10);
  // Order matters: in "the gunman killed police" only "the gunman" is in the reference's order.
  expect(rougeL(tokens("the gunman killed police"), ref)).toBeCloseTo(2 / 4, 10);
  expect(rougeL([], ref)).toBe(0);
});
