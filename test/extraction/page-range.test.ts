import { expect, test } from "bun:test";
import { pagesIn, parsePageRange, rangeOf } from "../../src/extraction/page-range.ts";

test("a range is pages and inclusive spans, in any order, overlaps merged", () => {
  expect(pagesIn("1-5,9", 10)).toEqual([1, 2, 3, 4, 5, 9]);
  expect(pagesIn(" 9, 2-3 ,3", 9)).toEqual([2, 3, 9]);
  expect(parsePageRange("7")).toEqual([[7, 7]]);
});

test("a malformed range is refused with what is wrong; one past the end names the page count", () => {
  for (const bad of ["", "0", "3-1", "1-", "a", "1;2", "1-5,,9", "9".repeat(7), "1,".repeat(150)]) expect(() => parsePageRange(bad)).toThrow(/^pages/);
  expect(() => pagesIn("1-5,12", 10)).toThrow("pages=1-5,12 goes past the end: the PDF has 10 pages");
});

test("pages read are written back as a range, runs joined", () => {
  expect(rangeOf([1, 2, 3, 4, 5, 9])).toBe("1-5,9");
  expect(rangeOf([2])).toBe("2");
  expect(rangeOf([1, 3, 4, 7, 8, 9])).toBe("1,3-4,7-9");
  expect(rangeOf(pagesIn(" 9, 2-3 ,3", 9))).toBe("2-3,9");
});
