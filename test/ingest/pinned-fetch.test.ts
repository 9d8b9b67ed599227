import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { pinnedFetch } from "../../src/ingest/pinned-fetch.ts";

// A self-signed certificate for folio.test, made for these tests only (test/support/tls).
const TLS = resolve(import.meta.dir, "../support/tls");
let plain: ReturnType<typeof Bun.serve>;
let secure: ReturnType<typeof Bun.serve>;
const echo = (req: Request) => new Response(`host=${req.headers.get("host")}`);

beforeAll(() => {
  plain = Bun.serve({ port: 0, fetch: echo });
  secure = Bun.serve({ port: 0, tls: { cert: Bun.file(`${TLS}/folio-test.crt`), key: Bun.file(`${TLS}/folio-test.key`) }, fetch: echo });
});
afterAll(() => {
  plain.stop(true);
  secure.stop(true);
});

describe("pinnedFetch", () => {
  test("http: connects to the checked address, never looks the name up again, and keeps the Host", async () => {
    const url = new URL(`http://folio.invalid:${plain.port}/paper.pdf`);
    // The name resolves nowhere: only the pinned address can be what answered.
    await expect(fetch(url)).rejects.toThrow();
    const res = await pinnedFetch(url, "127.0.0.1");
    expect(await res.text()).toBe(`host=folio.invalid:${plain.port}`);
  });

  test("https: the certificate is checked against the URL's name, not the address connected to", async () => {
    // A child process trusts the test certificate (NODE_EXTRA_CA_CERTS), as a machine trusts a real CA.
    const run = async (name: string) => {
      const script = `import { pinnedFetch } from ${JSON.stringify(resolve(import.meta.dir, "../../src/ingest/pinned-fetch.ts"))};
        try { console.log(await (await pinnedFetch(new URL("https://${name}:${secure.port}/x"), "127.0.0.1")).text()); }
        catch (e) { console.log("refused: " + e.message); }`;
      const proc = Bun.spawn(["bun", "-e", script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: `${TLS}/folio-test.crt` }, stdout: "pipe", stderr: "pipe" });
      return (await new Response(proc.stdout).text()).trim();
    };
    expect(await run("folio.test")).toBe(`host=folio.test:${secure.port}`);
    expect(await run("other.test")).toStartWith("refused:");
  });

  test("without an address it is plain fetch", async () => {
    const res = await pinnedFetch(new URL(`http://127.0.0.1:${plain.port}/`), undefined);
    expect(await res.text()).toBe(`host=127.0.0.1:${plain.port}`);
  });
});
