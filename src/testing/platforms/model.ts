/**
 * The pure model of all mocked platforms behind one root: routes a request by path prefix to
 * VNeID (`/c06/v1`), land (`/land/v1`), tax (`/tax/v1`) or the token endpoint (`/token`).
 * No I/O and no faults here: the server and the nock helper both drive this same model.
 */

import type { MockFixtures } from '../fixtures.js';
import type {
  MockCredentials,
  MockRequest,
  MockResponse,
  MockTarget,
  MockUpstream,
  Registration,
} from '../types.js';
import { createLandPlatform } from './land.js';
import type { PlatformModel } from './router.js';
import { createTaxPlatform } from './tax.js';
import { createTokenService } from './tokens.js';
import { createVneidPlatform } from './vneid.js';
import { jsonResponse } from './wire.js';

/** Options of {@link createPlatformModel}. */
export interface PlatformModelOptions {
  fixtures: MockFixtures;
  /** The mock's clock (ms since the epoch). */
  now: () => number;
  tokenTtlSeconds: number;
  credentials: readonly MockCredentials[];
}

/** The whole mocked estate, transport-free. */
export interface PlatformsModel {
  /** Which endpoint group a path belongs to; `undefined` for anything else. */
  targetOf(path: string): MockTarget | undefined;
  /**
   * Answers a request (a plain 404 outside every platform); with `lie`, a read is answered about
   * someone else (see the `lie` fault).
   */
  handle(req: MockRequest, lie?: boolean): MockResponse;
  /** The platform's busy answer (HTTP 200 + busy code); for `token`, an OAuth2 HTTP 503. */
  busy(target: MockTarget, req: MockRequest): MockResponse;
  registrations(upstream: MockUpstream): readonly Registration[];
  expireTokens(): void;
  /** Forgets idempotency keys and registrations (tokens stay valid). */
  reset(): void;
}

const PREFIXES: readonly (readonly [prefix: string, target: MockUpstream])[] = [
  ['/c06/v1/', 'vneid'],
  ['/land/v1/', 'land'],
  ['/tax/v1/', 'tax'],
];

/** Creates the model with fresh state. */
export function createPlatformModel(options: PlatformModelOptions): PlatformsModel {
  const tokens = createTokenService({
    now: options.now,
    ttlSeconds: options.tokenTtlSeconds,
    credentials: options.credentials,
  });
  const deps = { fixtures: options.fixtures, tokens, now: options.now };
  const platforms: Record<MockUpstream, PlatformModel> = {
    vneid: createVneidPlatform(deps),
    land: createLandPlatform(deps),
    tax: createTaxPlatform(deps),
  };

  const targetOf = (path: string): MockTarget | undefined => {
    if (path === '/token') return 'token';
    return PREFIXES.find(([prefix]) => path.startsWith(prefix))?.[1];
  };

  return {
    targetOf,
    handle(req, lie) {
      const target = targetOf(req.path);
      if (target === undefined) return jsonResponse(404, { error: 'Not Found', path: req.path });
      return target === 'token' ? tokens.handle(req) : platforms[target].handle(req, lie);
    },
    busy(target, req) {
      if (target === 'token') {
        return jsonResponse(503, {
          error: 'temporarily_unavailable',
          error_description: 'Hệ thống đang bận',
        });
      }
      return platforms[target].busy(req);
    },
    registrations: (upstream) => platforms[upstream].registrations(),
    expireTokens: () => tokens.expireAll(),
    reset() {
      for (const p of Object.values(platforms)) p.reset();
    },
  };
}
