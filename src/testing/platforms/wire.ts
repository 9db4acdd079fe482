/**
 * Wire-level helpers shared by the three platform models: identifier formats, `yyyyMMdd` dates,
 * and the envelope abstraction each platform fills in with its own codes.
 */

import type { MockResponse } from '../types.js';

/** Failures a platform can answer with; each platform maps them to its own code and HTTP status. */
export type FailureKind = 'notFound' | 'invalid' | 'unauthorised' | 'forbidden' | 'busy';

/** How one platform wraps answers. */
export interface PlatformEnvelope {
  /** The envelope key that holds the payload (`DuLieu`, `data`, `result`). */
  readonly dataKey: string;
  ok(data: unknown): { status: number; body: Record<string, unknown> };
  fail(kind: FailureKind, message: string): { status: number; body: Record<string, unknown> };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `true` for a UUID in its canonical 8-4-4-4-12 form (any version). */
export function isUuid(value: string | undefined): boolean {
  return value !== undefined && UUID.test(value);
}

/** `YYYY-MM-DD` → `yyyyMMdd`; other strings (e.g. `Lâu dài`) pass unchanged. */
export function toWireDate(isoDate: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(isoDate) ? isoDate.replaceAll('-', '') : isoDate;
}

/** `true` for a real calendar date written `yyyyMMdd`. */
export function isWireDate(value: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

const TAX_WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/** `true` for a 10-digit enterprise tax code with a valid check digit (CONTRACT.md rule). */
export function isEnterpriseTaxCode(code: string): boolean {
  if (!/^\d{10}$/.test(code) || /^0{7}$/.test(code.slice(2, 9))) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += TAX_WEIGHTS[i]! * Number(code[i]);
  const check = 10 - (sum % 11);
  return check < 10 && check === Number(code[9]);
}

/** `true` for any tax code the registry accepts: enterprise, branch (`-001`…`-999`) or personal ID. */
export function isTaxCode(code: string): boolean {
  if (/^\d{12}$/.test(code)) return true;
  const m = /^(\d{10})(?:-(\d{3}))?$/.exec(code);
  if (!m || !isEnterpriseTaxCode(m[1]!)) return false;
  return m[2] === undefined || m[2] !== '000';
}

/** Certificate serial without the optional space; `undefined` when malformed. */
export function normalizeSerial(raw: string): string | undefined {
  const serial = raw.replace(/\s+/g, '');
  return /^[A-Z]{2}(?:\d{6}|\d{8})$/.test(serial) ? serial : undefined;
}

/** Names compare as the officer types them: Unicode NFC, case and spacing ignored, diacritics kept. */
export function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleUpperCase('vi');
  return norm(a) === norm(b);
}

/** A JSON response with the headers every platform answer carries. */
export function jsonResponse(status: number, body: unknown, requestId?: string): MockResponse {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  // Echoed so a client can correlate the answer with its call (CONTRACT.md).
  if (requestId) headers['x-road-id'] = requestId;
  return { status, headers, body };
}
