import { expect, test } from "bun:test";
import { splitSentences } from "../../src/notes/sentences.ts";

test("CJK sentences end at 。！？", () => {
  expect(splitSentences("これは文です。次の文です！本当ですか？这是第一句。")).toEqual(["これは文です。", "次の文です！", "本当ですか？", "这是第一句。"]);
});

test("abbreviations, initials and German dates do not end a sentence; a capital letter after a word does", () => {
  expect(splitSentences("Am 3. Oktober kam er, z. B. mit dem Zug. Dann ging er.")).toEqual(["Am 3. Oktober kam er, z. B. mit dem Zug.", "Dann ging er."]);
  expect(splitSentences("M. Dupont arrive demain. Voilà !")).toEqual(["M. Dupont arrive demain.", "Voilà !"]);
  expect(splitSentences("Это пример, т. е. образец. См. рис. 2 далее.")).toEqual(["Это пример, т. е. образец.", "См. рис. 2 далее."]);
  expect(splitSentences("C. S. Gillespie wrote it. We use R. It works.")).toEqual(["C. S. Gillespie wrote it.", "We use R.", "It works."]);
  expect(splitSentences("The workspace is saved to .RData in the current directory. Then R quits.")).toEqual(["The workspace is saved to .RData in the current directory.", "Then R quits."]);
});
