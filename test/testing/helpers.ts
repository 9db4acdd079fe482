import { randomUUID } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import { MOCK_CREDENTIALS } from '../../src/testing/index.js';

/** An axios client that never throws on status, so tests read every answer. */
export function client(baseURL: string): AxiosInstance {
  return axios.create({ baseURL, validateStatus: () => true, proxy: false });
}

/** Fetches a token with the default credentials. */
export async function getToken(http: AxiosInstance): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: MOCK_CREDENTIALS.clientId,
    client_secret: MOCK_CREDENTIALS.clientSecret,
  });
  const res = await http.post('/token', form.toString(), {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (res.status !== 200) throw new Error(`token: HTTP ${res.status}`);
  return res.data.access_token as string;
}

/** The headers CONTRACT.md requires, with a fresh X-Road-Id. */
export function xroad(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    'x-road-client': 'VN/GOV/000.00.00.H29/hcmc-tthc',
    'x-road-id': randomUUID(),
    'x-road-userid': 'VNofficer-17',
    ...extra,
  };
}

/** A VNeID body whose MaYeuCau matches the headers' X-Road-Id. */
export function vneidBody(headers: Record<string, string>, fields: Record<string, unknown>) {
  return { MaYeuCau: headers['x-road-id'], MaDVC: '1.001234', MaCanBo: 'officer-17', ...fields };
}

/** `YYYY-MM-DD` → `yyyyMMdd`. */
export const wire = (iso: string) => iso.replaceAll('-', '');

/** A clock a test moves by hand. */
export function manualClock(start = Date.UTC(2025, 9, 1, 2, 0, 0)) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}
