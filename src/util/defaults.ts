/**
 * `{ ...defaults, ...options }` where an option given as `undefined` keeps its default, as an
 * omitted one does: a caller passing `{ maxSockets: config.maxSockets }` with nothing configured
 * must get the default, not `undefined` (which a spread would copy over it).
 */
export function withDefaults<D extends object, O extends object>(
  defaults: D,
  options: O,
): D & Omit<O, keyof D> {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [key, value] of Object.entries(options)) if (value !== undefined) out[key] = value;
  return out as D & Omit<O, keyof D>;
}

/** Every option of `T` present and defined: the type of a defaults object, or of options merged with it. */
export type Defaults<T> = { [K in keyof T]-?: Exclude<T[K], undefined> };
