/**
 * Where each mocked platform lives under the base URLs a test gives, shared by the in-process
 * helpers (nock, the undici dispatcher) so both route a request the same way.
 */

import type { MockTarget } from './types.js';

/** Base URLs to intercept: one for everything, or one per platform (a path prefix is allowed). */
export type MockBaseUrls = string | Partial<Record<MockTarget, string>>;

/** The path of each platform under its base URL (the loopback server serves the same). */
export const PLATFORM_PATHS: Readonly<Record<MockTarget, string>> = {
  vneid: '/c06/v1/',
  land: '/land/v1/',
  tax: '/tax/v1/',
  token: '/token',
};

/** One intercepted platform: its origin, the base URL's path prefix and the paths it answers. */
export interface PlatformRoute {
  target: MockTarget;
  /** e.g. `https://lgsp.test` (lower case, default port left out). */
  origin: string;
  /** The base URL's path, without a trailing slash (`''` for none). */
  prefix: string;
  /** Whether a request path (query string included) is this platform's. */
  matches(pathWithQuery: string): boolean;
}

/** The routes of the given base URLs; a target left out is not intercepted. */
export function platformRoutes(baseUrls: MockBaseUrls): PlatformRoute[] {
  const bases: Partial<Record<MockTarget, string>> =
    typeof baseUrls === 'string'
      ? { vneid: baseUrls, land: baseUrls, tax: baseUrls, token: baseUrls }
      : baseUrls;
  return (Object.entries(bases) as [MockTarget, string][]).map(([target, base]) => {
    const parsed = new URL(base);
    const prefix = parsed.pathname.replace(/\/+$/, '');
    const wanted = `${prefix}${PLATFORM_PATHS[target]}`;
    return {
      target,
      origin: parsed.origin,
      prefix,
      matches: (uri) =>
        target === 'token' ? uri === wanted || uri.startsWith(`${wanted}?`) : uri.startsWith(wanted),
    };
  });
}
