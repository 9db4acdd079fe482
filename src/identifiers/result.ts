/**
 * The outcome of a `parse…` function: the decoded value, or the reasons it was refused.
 * Parse functions never throw on bad input; they return `{ ok: false, issues }`.
 */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: string[] };
