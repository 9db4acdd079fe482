/**
 * The mock platforms as nock interceptors, for CI without sockets. The same engine as the HTTP
 * server answers, so a request gets the same answer through either.
 *
 * nock is an optional peer dependency, loaded on the first call of {@link mockPlatformsWithNock}:
 * importing `vn-national-gateway/testing` neither needs nock nor switches on its interception of
 * `node:http`.
 */

import type NockModule from 'nock';
import { nodeRequire } from '../util/node-require.js';
import {
  controlsOf,
  createMockEngine,
  type MockOptions,
  type MockPlatformsControl,
  toMockRequest,
} from './engine.js';
import type { Transport } from '../transport/types.js';
import { type MockBaseUrls, platformRoutes } from './routes.js';
import { assertNockIntercepts } from './transport-guard.js';

/** Base URLs to intercept: one for everything, or one per platform (a path prefix is allowed). */
export type NockBaseUrls = MockBaseUrls;

/** Options of {@link mockPlatformsWithNock}. */
export interface MockPlatformsWithNockOptions extends MockOptions {
  /** Keep answering after the first request per method and platform. Default `true`. */
  persist?: boolean | undefined;
  /**
   * The transports the code under test sends with: each is checked before anything is
   * intercepted, and one nock cannot see (undici's, or a custom one that does not name its
   * `stack`) is refused with a `MockTransportError`, since its requests would reach the network.
   * @default none (not checked: the default transport, axios, is intercepted)
   */
  transports?: Transport | readonly Transport[] | undefined;
}

/** The control object of nock-backed mock platforms. */
export interface NockMockPlatforms extends MockPlatformsControl {
  /** Removes this mock's interceptors and ends its hung requests. */
  done(): void;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Longer than any client timeout: nock trips a socket timeout the client set below this. */
const HANG_MS = 2 ** 31 - 1;

/** A nock fake socket; `applyDelay` is how nock's own `.delay()` trips client socket timeouts. */
interface NockSocket {
  applyDelay?(ms: number): void;
}

function resetError(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

/**
 * Installs nock interceptors that answer as the mock platforms.
 *
 * Faults act per request: latency is a real wait (and trips a client's socket timeout as nock's
 * `.delay()` does), `reset` fails the request with `ECONNRESET` like `replyWithError`, `hang`
 * answers never (until the client aborts or `done()`).
 *
 * @param baseUrls e.g. `'https://lgsp.example.gov.vn'`, or `{ vneid, land, tax, token }`
 *   (a target left out is not intercepted).
 * @example
 * const mock = mockPlatformsWithNock('https://lgsp.test', { faults: { land: { errorRate: 0.5 } } });
 * // ... calls to https://lgsp.test/land/v1/... are answered by the mock
 * mock.done();
 */
export function mockPlatformsWithNock(
  baseUrls: NockBaseUrls,
  options: MockPlatformsWithNockOptions = {},
): NockMockPlatforms {
  const { persist = true, transports, ...engineOptions } = options;
  assertNockIntercepts(transports);
  const nock = loadNock();
  const engine = createMockEngine(engineOptions);
  const interceptors: NockModule.Interceptor[] = [];
  const hung = new Set<() => void>();

  for (const { origin, prefix, matches } of platformRoutes(baseUrls)) {
    const scope = nock(origin).persist(persist);

    for (const method of METHODS) {
      const interceptor = scope.intercept(matches, method);
      interceptors.push(interceptor);
      interceptor.reply(async function (uri, body) {
        const outcome = engine.dispatch(
          toMockRequest({ method, url: uri.slice(prefix.length), headers: this.req.headers, body }),
        );
        const socket = this.req.socket as unknown as NockSocket | null;
        if (outcome.type === 'hang') {
          socket?.applyDelay?.(HANG_MS);
          await new Promise<void>((resolve) => {
            const end = () => {
              hung.delete(end);
              resolve();
            };
            hung.add(end);
            this.req.once('close', end);
          });
          throw resetError(); // the request is already gone; nock discards this
        }
        socket?.applyDelay?.(outcome.delayMs);
        if (outcome.delayMs > 0) await new Promise((r) => setTimeout(r, outcome.delayMs));
        if (outcome.type === 'reset') throw resetError();
        const { status, headers, body: payload } = outcome.response;
        return [status, typeof payload === 'string' ? payload : JSON.stringify(payload), headers] as const;
      });
    }
  }

  return {
    ...controlsOf(engine),
    done() {
      for (const i of interceptors.splice(0)) nock.removeInterceptor(i);
      for (const end of [...hung]) end();
    },
  };
}

function loadNock(): typeof NockModule {
  try {
    return nodeRequire()('nock') as typeof NockModule;
  } catch {
    throw new Error('mockPlatformsWithNock needs the optional peer dependency nock (npm install -D nock@14)');
  }
}
