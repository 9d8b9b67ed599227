/** What FontNames needs of a pdf.js page. */
export interface FontPage {
  getOperatorList(params: { annotationMode: number }): Promise<unknown>;
  commonObjs: { has(id: string): boolean; get(id: string): unknown };
}

/**
 * The real names of the fonts text is set in ("NimbusRomNo9L-Medi", "CMBX10"): what tells a
 * bold or sans-serif heading from body text of the same size. pdf.js's text content names a
 * font only by an id ("g_d0_f3") and a generic family; the font's name arrives only with the
 * font itself, which pdf.js sends when it builds a page's operator list, as for rendering.
 * So a page that uses a font not seen before has its operator list built, for a bounded
 * number of pages (a document's fonts mostly appear in its first pages); a font never
 * resolved keeps its id, which still tells it apart from the others.
 */
export class FontNames {
  private readonly names = new Map<string, string>();
  private pagesLeft: number;

  constructor(maxPages: number) {
    this.pagesLeft = maxPages;
  }

  async learn(page: FontPage, ids: Iterable<string>): Promise<void> {
    const unknown = [...new Set(ids)].filter((id) => id && !this.names.has(id));
    if (unknown.length === 0) return;
    if (this.pagesLeft > 0) {
      this.pagesLeft--;
      await page.getOperatorList({ annotationMode: 0 }).catch(() => {});
    }
    for (const id of unknown) {
      const font = page.commonObjs.has(id) ? (page.commonObjs.get(id) as { name?: unknown }) : undefined;
      // "ABCDEF+" marks a subset of the font embedded in this PDF: the rest is the name.
      this.names.set(id, typeof font?.name === "string" ? font.name.replace(/^[A-Z]{6}\+/, "") : id);
    }
  }

  name = (id: string): string => this.names.get(id) ?? id;
}
