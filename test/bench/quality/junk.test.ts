import { expect, test } from "bun:test";
import { judge, runningHeads } from "../../../bench/quality/junk.ts";

test("the junk judge names the lines issue 30 found in summaries", () => {
  const said = [
    "4: Set n2 = n − n1 and P = 0.",
    "Figure 2: Results from the standard bootstrap procedure using the Moby Dick data set.",
    "1 With other than vector types of argument, such as list mode arguments, the action of c() is rather different.",
    "◦ TEX should not stop with an error.",
    "§ Modules communicate via channels.",
    "status burst_read(unique_priority, data*, start_address, length=1, lock=false);",
    "Alternative minimum tax . . . . . 45",
  ];
  expect(said.map((s) => judge(s, []))).toEqual(["algorithm", "caption", "footnote", "glyph", "glyph", "code", "leaders"]);
});

test("prose passes, and a running head counts only where it repeats on many pages", () => {
  expect(judge("Figure 5 displays the data, and the fit follows a power law.", [])).toBeUndefined();
  expect(judge("Protocol Buffers are a popular method of serializing structured data.", [])).toBeUndefined();
  const pages = Array.from({ length: 12 }, (_, i) => `Journal of Statistical Software ${i + 1}\nBody text of page ${i}.\nMore body text here.`);
  const heads = runningHeads(pages);
  expect(judge("Journal of Statistical Software 7 The data set is small.", heads)).toBe("running head");
  expect(runningHeads(pages.slice(0, 2))).toEqual([]);
});
