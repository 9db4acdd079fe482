/**
 * Contract drift: the platform renames a field of its success payload without notice, the kind of
 * change the gateway must catch as a `CONTRACT` error rather than pass on half-empty data.
 */

import type { MockResponse, MockTarget } from './types.js';

/**
 * Field renames under `{ drift: true }`, applied to the top level of the success payload
 * (`DuLieu`, `data`, `result`; the token response itself). Every endpoint's payload loses at least
 * one field it promised.
 */
export const DRIFT_RENAMES: Readonly<Record<MockTarget, Readonly<Record<string, string>>>> = Object.freeze({
  vneid: Object.freeze({ TonTai: 'TonTaiCongDan', HoVaTen: 'HoTen' }),
  land: Object.freeze({ dienTich: 'dienTichM2', trangThai: 'tinhTrang' }),
  tax: Object.freeze({ tenNguoiNopThue: 'ten', trangThai: 'tinhTrang' }),
  token: Object.freeze({ access_token: 'accessToken' }),
});

const PAYLOAD_KEY: Readonly<Record<MockTarget, string | undefined>> = {
  vneid: 'DuLieu',
  land: 'data',
  tax: 'result',
  token: undefined,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function renamed(payload: Record<string, unknown>, renames: Readonly<Record<string, string>>) {
  return Object.fromEntries(Object.entries(payload).map(([k, v]) => [renames[k] ?? k, v]));
}

/** The response with its payload's fields renamed; failures (no payload) pass unchanged. */
export function applyDrift(target: MockTarget, response: MockResponse): MockResponse {
  const { body } = response;
  if (response.status !== 200 || !isRecord(body)) return response;
  const key = PAYLOAD_KEY[target];
  const renames = DRIFT_RENAMES[target];
  if (key === undefined) return { ...response, body: renamed(body, renames) };
  const payload = body[key];
  if (!isRecord(payload)) return response;
  return { ...response, body: { ...body, [key]: renamed(payload, renames) } };
}
