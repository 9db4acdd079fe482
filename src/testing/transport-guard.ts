/**
 * The check that keeps a mock from leaking: an in-process mock answers only the requests of the
 * HTTP stack it hooks, and a transport on another stack would go to the network past it.
 */

import type { Transport } from '../transport/types.js';

/** The HTTP stacks nock intercepts: `node:http` (and what is built on it) and global `fetch`. */
const NOCK_STACKS: ReadonlySet<string> = new Set(['node:http', 'fetch']);

/**
 * Thrown when a mock helper is given a transport it cannot intercept: the requests would leave
 * the process (a real DNS lookup and connect) instead of reaching the mock. Nothing has been
 * intercepted or sent when it is thrown. Check it with `error.code === 'MOCK_TRANSPORT_UNSUPPORTED'`.
 */
export class MockTransportError extends Error {
  override readonly name = 'MockTransportError';
  /** Stable code of this error. */
  readonly code = 'MOCK_TRANSPORT_UNSUPPORTED' as const;
  /** The refusing helper, e.g. `mockPlatformsWithNock`. */
  readonly helper: string;
  /** The transport's {@link Transport.stack}, `'unknown'` when it does not say. */
  readonly transport: string;

  constructor(helper: string, transport: string, advice: string) {
    super(
      `${helper} cannot intercept the ${transport} transport: its requests would reach the network. ${advice}`,
    );
    this.helper = helper;
    this.transport = transport;
  }
}

/** Throws {@link MockTransportError} for the first transport nock cannot intercept. */
export function assertNockIntercepts(transports: Transport | readonly Transport[] | undefined): void {
  const list = transports === undefined ? [] : Array.isArray(transports) ? transports : [transports];
  for (const t of list as readonly Transport[]) {
    const stack = t?.stack;
    if (stack !== undefined && NOCK_STACKS.has(stack)) continue;
    const name = stack ?? 'unknown';
    throw new MockTransportError(
      'mockPlatformsWithNock',
      name,
      name === 'undici'
        ? 'Use mockPlatformsWithUndici() and pass its dispatcher: undiciTransport({ dispatcher: mock.dispatcher }).'
        : "nock intercepts node:http and fetch only; a custom transport on them says so with stack: 'node:http'.",
    );
  }
}
