import { isIP } from 'node:net';

/** One server to connect to. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/**
 * The servers the client may use, in the order given: it connects to the first, and each
 * reconnect moves on to the next (servers sharing one room through a common store).
 */
export type Endpoints = readonly [Endpoint, ...Endpoint[]];

/** `host:port`, `[v6]:port` for an IPv6 address (as people write it back on the command line). */
export function formatEndpoint(endpoint: Endpoint): string {
  return isIP(endpoint.host) === 6
    ? `[${endpoint.host}]:${endpoint.port}`
    : `${endpoint.host}:${endpoint.port}`;
}

/** The index tried after `index` (round robin). */
export function nextEndpoint(index: number, count: number): number {
  return count <= 1 ? 0 : (index + 1) % count;
}
