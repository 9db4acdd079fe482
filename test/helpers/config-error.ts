import { expect } from 'vitest';
import { ConfigurationError } from 'vn-national-gateway';

/** The ConfigurationError `fn` throws; anything else it throws fails the test, and so does no throw. */
export function configError(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigurationError);
    return e as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}
