/**
 * Refuses unknown keys in an options object (`drainer: { pollms }`, a top-level `tracng`): a
 * misspelt option would otherwise be ignored and the city would run on a default it did not choose.
 */
import { ConfigurationError } from './configuration-error.js';
import { didYouMean } from './util/suggest.js';

/**
 * Every key of an options type, as a table checked by the compiler both ways: a key missing from
 * the table, or one the type does not have, does not compile (so a new option cannot be forgotten).
 */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };

/** A key as it may appear in a message: printable, and not too long. */
export function shownKey(key: string): string {
  const k = key.length > 64 ? `${key.slice(0, 64)}…` : key;
  return JSON.stringify(k);
}

/**
 * Throws {@link ConfigurationError} naming every key of `value` that `known` does not have, each
 * with the closest known key ("did you mean"), and the known keys. `undefined` passes (no
 * options); anything else that is not a plain object is refused.
 */
export function checkOptionKeys(where: string, value: unknown, known: Readonly<Record<string, true>>): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigurationError(`Invalid configuration of ${where}: must be an object`);
  const names = Object.keys(known);
  const unknown = Object.keys(value).filter((k) => !Object.hasOwn(known, k));
  if (unknown.length === 0) return;
  const listed = unknown.map((k) => `${shownKey(k)}${didYouMean(k, names)}`).join(', ');
  throw new ConfigurationError(
    `Invalid configuration of ${where}: unknown option${unknown.length > 1 ? 's' : ''} ${listed}; known options: ${names.join(', ')}`,
  );
}
