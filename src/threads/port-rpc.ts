/**
 * Calls across a thread boundary: a request over a MessagePort (or a Worker, or parentPort),
 * its answer matched back by id. Consumer threads reach the database owner's job store and
 * the process's extraction pool this way, and the thread host asks each thread for its
 * metrics. Comlink does this for browsers, through a Proxy over the whole remote object, with
 * no timeouts; this is the ~80 lines the three callers need.
 *
 * A handler may send notes (progress) before it answers. Its error crosses as the value
 * `toWire` makes of it and is thrown again on the calling side by `fromWire`, so a typed
 * error (a PipelineError's code) survives the trip.
 */
export interface RpcPort {
  postMessage(message: unknown, transfer?: readonly Transferable[]): void;
  // `any` as in node:worker_threads' own signature: what arrives is checked by its `rpc` tag.
  on(event: string, listener: (message: any) => void): unknown;
}

type Handler = (arg: never, note: (value: unknown) => void) => Promise<unknown>;
/** An object of async one-argument methods: an interface (JobStore) or a literal. */
export type Handlers<H> = { [K in keyof H]: Handler };

type Request = { rpc: "call"; id: number; method: string; arg: unknown };
type Answer = { rpc: "note"; id: number; value: unknown } | { rpc: "ok"; id: number; value: unknown } | { rpc: "error"; id: number; error: unknown };

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Answers calls to `handlers` on `port`; other messages on it are left to their own listeners. */
export function serveRpc<H extends Handlers<H>>(port: RpcPort, handlers: H, toWire: (err: unknown) => unknown = errorMessage): void {
  port.on("message", async (m: Request) => {
    if (m?.rpc !== "call") return;
    const answer = (a: Answer, transfer?: readonly Transferable[]) => port.postMessage(a, transfer);
    try {
      const handler = handlers[m.method as keyof H] as Handler;
      const value = await handler.call(handlers, m.arg as never, (note) => answer({ rpc: "note", id: m.id, value: note }));
      answer({ rpc: "ok", id: m.id, value });
    } catch (err) {
      answer({ rpc: "error", id: m.id, error: toWire(err) });
    }
  });
}

export interface CallOptions {
  transfer?: readonly Transferable[];
  onNote?: (value: unknown) => void;
  /** Rejects with "timed out" after this long; the answer, if it comes later, is dropped. */
  timeoutMs?: number;
}

type Arg<F> = F extends (arg: infer A, ...rest: never[]) => unknown ? A : never;
type Result<F> = F extends (...args: never[]) => Promise<infer R> ? R : never;

/** The calling side: `call(method, arg)` resolves with the handler's value or rejects with its error. */
export function rpcClient<H extends Handlers<H>>(port: RpcPort, fromWire: (error: unknown) => Error = (e) => new Error(String(e))) {
  let nextId = 0;
  const calls = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; onNote?: (v: unknown) => void }>();
  port.on("message", (a: Answer) => {
    const call = a?.rpc && a.rpc !== ("call" as string) ? calls.get(a.id) : undefined;
    if (!call) return;
    if (a.rpc === "note") return call.onNote?.(a.value);
    calls.delete(a.id);
    if (a.rpc === "ok") call.resolve(a.value);
    else call.reject(fromWire(a.error));
  });
  return {
    call<K extends keyof H & string>(method: K, arg: Arg<H[K]>, opts: CallOptions = {}): Promise<Result<H[K]>> {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => calls.delete(id) && reject(new Error("timed out")), opts.timeoutMs);
        const settle = <T>(f: (v: T) => void) => (v: T) => {
          clearTimeout(timer);
          f(v);
        };
        calls.set(id, { resolve: settle(resolve as (v: unknown) => void), reject: settle(reject), onNote: opts.onNote });
        port.postMessage({ rpc: "call", id, method, arg } satisfies Request, opts.transfer);
      });
    },
  };
}
