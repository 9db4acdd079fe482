import type { MockFixtures } from '../fixtures.js';
import type { TokenService } from './tokens.js';

/** What every platform model is built from. */
export interface PlatformOptions {
  fixtures: MockFixtures;
  tokens: TokenService;
  /** The mock's clock (ms since the epoch). */
  now: () => number;
}
