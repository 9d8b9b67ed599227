/** Calls over a real MessageChannel: answers matched by id, notes, typed errors, timeouts, transfers. */
import { afterEach, expect, test } from "bun:test";
import { MessageChannel } from "node:worker_threads";
import { rpcClient, serveRpc } from "../../src/threads/port-rpc.ts";

let channel = new MessageChannel();
afterEach(() => {
  channel.port1.close();
  channel.port2.close();
  channel = new MessageChannel();
});

class Coded extends Error {
  constructor(readonly code: string) {
    super(`failed: ${code}`);
  }
}

interface Calls {
  double(n: number): Promise<number>;
  count(to: number, note: (n: unknown) => void): Promise<string>;
  fail(code: string): Promise<never>;
  never(arg: undefined): Promise<never>;
  size(bytes: Uint8Array): Promise<number>;
}

const handlers: Calls = {
  double: async (n) => (await Bun.sleep(n), n * 2),
  count: async (to, note) => {
    for (let i = 1; i <= to; i++) note(i);
    return "counted";
  },
  fail: async (code) => {
    throw new Coded(code);
  },
  never: () => new Promise<never>(() => {}),
  size: async (bytes) => bytes.length,
};

test("calls in flight at once each get their own answer, in whatever order they finish", async () => {
  serveRpc(channel.port1, handlers);
  const rpc = rpcClient<Calls>(channel.port2);
  expect(await Promise.all([rpc.call("double", 30), rpc.call("double", 1), rpc.call("double", 12)])).toEqual([60, 2, 24]);
});

test("notes arrive before the answer; an error crosses as what toWire made of it", async () => {
  serveRpc(channel.port1, handlers, (err) => ({ code: (err as Coded).code }));
  const rpc = rpcClient<Calls>(channel.port2, (wire) => new Coded((wire as { code: string }).code));
  const notes: unknown[] = [];
  expect(await rpc.call("count", 3, { onNote: (n) => notes.push(n) })).toBe("counted");
  expect(notes).toEqual([1, 2, 3]);
  const err = await rpc.call("fail", "pdf_too_complex").catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Coded);
  expect((err as Coded).code).toBe("pdf_too_complex");
});

test("a call past its timeout rejects, and the port carries on; other messages are left alone", async () => {
  serveRpc(channel.port1, handlers);
  const rpc = rpcClient<Calls>(channel.port2);
  const others: unknown[] = [];
  channel.port1.on("message", (m: { type?: string }) => m.type && others.push(m));
  channel.port2.postMessage({ type: "drain" });
  await expect(rpc.call("never", undefined, { timeoutMs: 50 })).rejects.toThrow("timed out");
  expect(await rpc.call("double", 2)).toBe(4);
  expect(others).toEqual([{ type: "drain" }]);
});

test("transferred bytes move rather than copy: the sender's buffer is emptied", async () => {
  serveRpc(channel.port1, handlers);
  const rpc = rpcClient<Calls>(channel.port2);
  const bytes = new Uint8Array(1 << 20);
  expect(await rpc.call("size", bytes, { transfer: [bytes.buffer] })).toBe(1 << 20);
  expect(bytes.byteLength).toBe(0);
});
