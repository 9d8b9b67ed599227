/** A dependency outage, told in two lines however many connections fail and retry. */
import { afterAll, afterEach, describe, expect, spyOn, test } from "bun:test";
import { isUnreachable, OutageLog } from "../../src/dependencies/outage-log.ts";
import { log } from "../../src/log.ts";

const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" });
const warn = spyOn(log, "warn").mockImplementation(() => {});
const info = spyOn(log, "info").mockImplementation(() => {});
afterEach(() => {
  warn.mockClear();
  info.mockClear();
});
afterAll(() => {
  warn.mockRestore();
  info.mockRestore();
});

describe("OutageLog", () => {
  test("many failing connections and retries are one line; the last one back ends it, with the duration", async () => {
    const outage = new OutageLog("redis");
    for (let i = 0; i < 20; i++) outage.failed(i % 2 ? "commands" : "worker", refused);
    await Bun.sleep(20);
    outage.recovered("commands");
    expect(info).not.toHaveBeenCalled();
    outage.recovered("worker");
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![1]).toContain("redis unreachable (connect ECONNREFUSED 127.0.0.1:6379)");
    expect(info).toHaveBeenCalledTimes(1);
    const [fields, message] = info.mock.calls[0] as unknown as [{ downMs: number }, string];
    expect(fields.downMs).toBeGreaterThanOrEqual(20);
    expect(message).toStartWith("redis reachable again after");
  });

  test("a connection that was never down says nothing when it is ready; a second outage is told again", () => {
    const outage = new OutageLog("database");
    outage.recovered("status writer");
    expect(info).not.toHaveBeenCalled();
    const wrapped = new Error("Failed query: update jobs …", { cause: new Error("write CONNECTION_CLOSED 127.0.0.1:5432") });
    outage.failed("status writer", wrapped);
    outage.recovered("status writer");
    outage.failed("status writer", wrapped);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[0]![1]).toContain("database unreachable (write CONNECTION_CLOSED");
  });

  test("unreachable is told apart from an answer that is an error", () => {
    expect(isUnreachable(refused)).toBe(true);
    expect(isUnreachable(new Error("getaddrinfo ENOTFOUND nohost"))).toBe(true);
    expect(isUnreachable(new Error("Connection is closed."))).toBe(true);
    expect(isUnreachable(new Error("ERR unknown command 'FOO'"))).toBe(false);
  });
});
