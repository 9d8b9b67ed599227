import { describe, expect, test } from "bun:test";
import { mayReadLarge, pickNext, type Claim } from "../../src/extraction/fairness.ts";

const a = (large = false): Claim => ({ userId: "alice", large });
const b = (large = false): Claim => ({ userId: "bob", large });

describe("which waiting extraction a free thread takes", () => {
  test("first come, first served when nothing is shared unfairly", () => {
    expect(pickNext([a(), b()], [], 4)).toBe(0);
    expect(pickNext([], [], 4)).toBe(-1);
  });

  test("with several users, one user holds at most N−1 threads, so another's PDF never waits behind theirs", () => {
    expect(pickNext([a(), a(), b()], [a()], 2)).toBe(2);
    expect(pickNext([a(), b()], [a(), a(), a()], 4)).toBe(1);
    expect(pickNext([a()], [a()], 2)).toBe(-1);
    // Single-user mode: there is nobody to keep a thread for.
    expect(pickNext([a()], [a()], 2, false)).toBe(0);
  });

  test("large PDFs hold at most N−1 threads", () => {
    expect(pickNext([a(true), b()], [a(true)], 2, false)).toBe(1);
    expect(pickNext([a(true)], [b(true)], 2)).toBe(-1);
    expect(pickNext([a(true)], [b(true)], 3)).toBe(0);
  });

  test("one thread serves everyone in turn", () => {
    expect(pickNext([a(true), b()], [], 1)).toBe(0);
    expect(mayReadLarge([a(true)], 1)).toBe(true);
  });

  test("a thread that opens a large PDF may read it only if another thread stays for small ones", () => {
    expect(mayReadLarge([], 2)).toBe(true);
    expect(mayReadLarge([b(true)], 2)).toBe(false);
    expect(mayReadLarge([b(true)], 3)).toBe(true);
    expect(mayReadLarge([b(false)], 2)).toBe(true);
  });
});
