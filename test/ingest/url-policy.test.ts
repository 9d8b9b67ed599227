import { describe, expect, test } from "bun:test";
import { checkUrl, UrlRefused, urlPolicy, type UrlPolicy } from "../../src/ingest/url-policy.ts";

const anyPort = (allowPrivate: boolean): UrlPolicy => ({ allowPrivate, ports: "any" });
const refusal = (url: string, allowPrivate = false, policy = anyPort(allowPrivate)) =>
  checkUrl(url, policy).then(
    () => "accepted",
    (err: unknown) => (err instanceof UrlRefused ? err.code : `threw ${String(err)}`),
  );

describe("checkUrl", () => {
  test("only http and https are fetched, whatever the private-URL flag says", async () => {
    for (const url of ["file:///etc/passwd", "ftp://example.com/a.pdf", "javascript:alert(1)", "gopher://127.0.0.1:6379/_PING", "not a url"]) {
      expect(await refusal(url, true)).toBe("invalid_url");
    }
  });

  test("loopback, private, link-local and unspecified addresses are refused (SSRF)", async () => {
    for (const url of [
      "http://127.0.0.1:6379/",
      "http://localhost:5432/",
      "http://[::1]/x.pdf",
      "http://10.1.2.3/a.pdf",
      "http://192.168.0.10/a.pdf",
      "http://172.16.5.4/a.pdf",
      "http://169.254.169.254/latest/meta-data/",
      "http://0.0.0.0/",
      "http://[::ffff:127.0.0.1]/",
      "http://[fd00::1]/",
      "http://2130706433/",
    ]) {
      expect(`${url} ${await refusal(url)}`).toBe(`${url} url_not_allowed`);
    }
  });

  test("every special-purpose IPv6 range is refused, as the IPv4 ones are", async () => {
    for (const url of [
      "http://[::]/", // unspecified
      "http://[::127.0.0.1]/", // IPv4-compatible (::/96), normalised to [::7f00:1]
      "http://[::7f00:1]/",
      "http://[::a00:1]/",
      "http://[::ffff:10.0.0.1]/", // IPv4-mapped
      "http://[64:ff9b::a9fe:a9fe]/", // NAT64 of 169.254.169.254
      "http://[100::1]/", // discard
      "http://[2001::1]/", // Teredo
      "http://[2001:db8::1]/", // documentation
      "http://[2001:2::1]/", // benchmarking
      "http://[2001:20::1]/", // ORCHIDv2
      "http://[2002:7f00:1::1]/", // 6to4 of 127.0.0.1
      "http://[fe80::1]/", // link-local
      "http://[ff02::1]/", // multicast
    ]) {
      expect(`${url} ${await refusal(url)}`).toBe(`${url} url_not_allowed`);
    }
  });

  test("a malformed percent-escape in the path is an invalid URL, not a crash", async () => {
    expect(await refusal("http://8.8.8.8/%E0%A4%A.pdf")).toBe("invalid_url");
    expect(await refusal("http://8.8.8.8/%E0%A4%A8.pdf")).toBe("accepted");
  });

  test("public addresses pass, and FOLIO_ALLOW_PRIVATE_URLS lets private ones through", async () => {
    expect(await refusal("https://93.184.215.14/paper.pdf")).toBe("accepted");
    expect(await refusal("http://[2606:4700::1111]/a.pdf")).toBe("accepted");
    expect(await refusal("http://127.0.0.1:8080/a.pdf", true)).toBe("accepted");
  });

  test("a refusal never says what a name resolved to, nor whether it resolved: both answer alike", async () => {
    const refused = (url: string) =>
      checkUrl(url, anyPort(false)).then(
        () => new UrlRefused("invalid_url", "accepted"),
        (e: unknown) => e as UrlRefused,
      );
    const local = await refused("http://localhost:9/a.pdf");
    const missing = await refused("http://no-such-host.invalid/a.pdf");
    for (const err of [local, missing]) expect(err).toBeInstanceOf(UrlRefused);
    expect([local.code, missing.code]).toEqual(["url_not_allowed", "url_not_allowed"]);
    expect(local.message).not.toMatch(/127\.0\.0\.1|::1|loopback/);
    expect(missing.message.replace("no-such-host.invalid", "localhost")).toBe(local.message);
  });

  test("only ports 80 and 443 by default, even with private networks allowed; FOLIO_URL_ALLOWED_PORTS widens it", async () => {
    const defaults = urlPolicy({ FOLIO_ALLOW_PRIVATE_URLS: true, FOLIO_URL_ALLOWED_PORTS: "80,443" });
    expect(await refusal("http://127.0.0.1/a.pdf", true, defaults)).toBe("accepted");
    expect(await refusal("https://127.0.0.1/a.pdf", true, defaults)).toBe("accepted");
    expect(await refusal("http://127.0.0.1:443/a.pdf", true, defaults)).toBe("accepted");
    for (const url of ["http://127.0.0.1:25/", "http://127.0.0.1:6379/", "https://[::1]:8443/a.pdf", "http://localhost:22/"]) {
      expect(`${url} ${await refusal(url, true, defaults)}`).toBe(`${url} url_not_allowed`);
    }
    const wider = urlPolicy({ FOLIO_ALLOW_PRIVATE_URLS: true, FOLIO_URL_ALLOWED_PORTS: "80,443,8080" });
    expect(await refusal("http://127.0.0.1:8080/a.pdf", true, wider)).toBe("accepted");
    expect(await refusal("http://127.0.0.1:8081/a.pdf", true, urlPolicy({ FOLIO_ALLOW_PRIVATE_URLS: true, FOLIO_URL_ALLOWED_PORTS: "any" }))).toBe("accepted");
  });
});
