/**
 * What Bun.serve passes as a request's env, for `app.request(…, env)`: a client on loopback,
 * as single-user mode requires of the socket's peer.
 */
export const LOOPBACK_PEER = { requestIP: () => ({ address: "127.0.0.1", family: "IPv4", port: 40000 }) };
