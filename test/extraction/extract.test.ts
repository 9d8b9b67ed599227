import { describe, expect, test } from "bun:test";
import { extractPdf, warmExtractor } from "../../src/extraction/extract.ts";
import { fixtures, fixture } from "../support/fixtures.ts";

const opts = { maxPages: 5000, minTextChars: 50 };
const bytesOf = async (f: string) => new Uint8Array(await Bun.file(fixture(f)).arrayBuffer());

describe("extract", () => {
  test("text per page, page count, title and outline of a real paper", async () => {
    await warmExtractor();
    const progress: number[] = [];
    const r = await extractPdf(await bytesOf("paper-bookmarks.pdf"), { ...opts, onProgress: (d) => progress.push(d) });
    expect(r.totalPages).toBe(2);
    expect(r.pages).toHaveLength(2);
    expect(r.title).toBe("Concurrent Versions: Parallelizing Software Development");
    expect(r.pages.join(" ")).toContain("three-way comparison between the common ancestor");
    expect(r.headings.map((h) => `${h.level} ${h.title}`)).toContain("2 2.1 Locking and its costs");
    expect(progress).toEqual([1, 2]);
  });

  test("the caller's buffer is left intact", async () => {
    const bytes = await bytesOf("paper-bookmarks.pdf");
    await extractPdf(bytes, opts);
    expect(bytes.byteLength).toBe(fixtures().find((e) => e.filename === "paper-bookmarks.pdf")!.size);
  });

  for (const entry of fixtures().filter((e) => e.expect === "notes")) {
    test(`${entry.filename}: every page read, text in its own script`, async () => {
      const r = await extractPdf(await bytesOf(entry.filename), opts);
      expect(r.totalPages).toBe(entry.pages!);
      expect(r.chars).toBeGreaterThan(50);
    });
  }

  test("Japanese, Chinese and Russian text come out as written", async () => {
    const cjk = (await extractPdf(await bytesOf("cjk-ja-zh.pdf"), opts)).pages.join("");
    expect(cjk.replace(/\s+/g, "")).toContain("抽出の段階では、各ページのテキストを順番に読み取ります。");
    expect(cjk.replace(/\s+/g, "")).toContain("本文介绍如何把PDF文档转换为结构化的笔记。");
    const ru = await extractPdf(await bytesOf("cyrillic-ru.pdf"), opts);
    expect(ru.pages.join(" ")).toContain("Принятое задание никогда не теряется.");
    expect(ru.headings.map((h) => h.title)).toEqual(["Введение", "Извлечение текста", "Надёжность"]);
  });

  const failing = fixtures().filter((e) => e.expect.startsWith("failed"));
  for (const entry of failing) {
    const code = entry.expect.split(" ")[1]!;
    test(`${entry.filename} fails with ${code}`, async () => {
      await expect(extractPdf(await bytesOf(entry.filename), opts)).rejects.toMatchObject({ code, retryable: false });
    });
  }

  test("the page limit gives pdf_too_many_pages", async () => {
    await expect(extractPdf(await bytesOf("manual-long.pdf"), { ...opts, maxPages: 100 })).rejects.toMatchObject({
      code: "pdf_too_many_pages",
    });
  });
});
