import { describe, expect, it } from 'vitest';
import { handleFaultAdmin, isLoopback } from '../../src/testing/admin.js';
import { runMockCommand } from '../../src/testing/cli-mock.js';
import { createMockEngine } from '../../src/testing/engine.js';
import { startMockPlatforms } from '../../src/testing/server.js';
import { client, getToken, xroad } from './helpers.js';

const registration = {
  maHoSo: 'HS-27058-2025-000777',
  maXa: '27058',
  soTo: 12,
  soThua: 345,
  loaiBienDong: 'CHUYEN_NHUONG',
  nguoiNop: { soDinhDanh: '079085001234', hoTen: 'Nguyễn Văn An' },
};
const quiet = { stdout: { write: () => true } };

describe('vn-gateway mock: switching faults while running (/__admin/faults)', () => {
  it('cuts the land registry off and brings it back, keeping idempotency and registrations', async () => {
    let out = '';
    const handle = await runMockCommand({ port: 0 }, { stdout: { write: (s: string) => (out += s) } });
    const { platforms } = handle;
    try {
      expect(out).toContain(`${platforms.url}/__admin/faults`);
      const http = client(platforms.url);
      const token = await getToken(http);
      const register = () =>
        http.post('/land/v1/dang-ky-bien-dong', registration, {
          headers: xroad(token, { 'idempotency-key': registration.maHoSo }),
        });

      const first = await register();
      expect(first.data.status).toBe('SUCCESS');
      const receipt = first.data.data.maBienNhan as string;

      const down = await http.post('/__admin/faults', { faults: { land: { down: true } } });
      expect(down.status).toBe(200);
      expect(down.data.faults).toEqual({ vneid: null, land: { down: true }, tax: null, token: null });
      const failed = await register();
      expect(failed.status).toBe(503);
      // Only the land registry is down.
      expect((await http.get('/__admin/faults')).data.faults.land).toEqual({ down: true });
      expect((await getToken(http)).length).toBeGreaterThan(0);

      const up = await http.post('/__admin/faults', { faults: { land: null } });
      expect(up.data.faults.land).toBeNull();
      const again = await register();
      expect(again.status).toBe(200);
      expect(again.data.data.maBienNhan).toBe(receipt);
      expect(platforms.registrations('land')).toHaveLength(1);
      expect(platforms.requests('land').map((r) => r.outcome)).toEqual(['answered', 'http503', 'answered']);
      expect(platforms.requests('land').at(-1)?.replayed).toBe(true);
    } finally {
      await handle.stop();
    }
  });

  it('switches to a named scenario and back to healthy with DELETE', async () => {
    const handle = await runMockCommand({ port: 0 }, quiet);
    try {
      const http = client(handle.platforms.url);
      const outage = await http.post('/__admin/faults', JSON.stringify({ scenario: 'outage' }), {
        headers: { 'content-type': 'application/x-www-form-urlencoded' }, // what `curl -d` sends
      });
      expect(outage.data.faults).toEqual({
        vneid: { down: true },
        land: { down: true },
        tax: { down: true },
        token: null,
      });
      const token = await getToken(http);
      expect((await http.get('/tax/v1/nguoi-nop-thue/0301234567', { headers: xroad(token) })).status).toBe(
        503,
      );
      // Scenario first, then the per-target overrides.
      const mixed = await http.post('/__admin/faults', { scenario: 'outage', faults: { tax: null } });
      expect(mixed.data.faults.tax).toBeNull();
      expect(mixed.data.faults.land).toEqual({ down: true });
      const healthy = await http.delete('/__admin/faults');
      expect(Object.values(healthy.data.faults)).toEqual([null, null, null, null]);
    } finally {
      await handle.stop();
    }
  });

  it('refuses a bad body with 400 and a clear message, changing nothing', async () => {
    const handle = await runMockCommand({ port: 0, scenario: 'flaky' }, quiet);
    try {
      const http = client(handle.platforms.url);
      const before = (await http.get('/__admin/faults')).data;
      const cases: [unknown, RegExp][] = [
        ['{not json', /must be JSON/],
        [{ scenario: 'storm' }, /Unknown scenario "storm"; expected one of healthy, flaky/],
        [{ faults: { land: { down: true }, tax: { errorrate: 0.5 } } }, /faults\.tax: Invalid fault/],
        [{ faults: { ledger: { down: true } } }, /Invalid body: faults/],
        [{ fault: { land: { down: true } } }, /Invalid body/],
        [{ faults: { land: { errorRate: 2 } } }, /errorRate/],
      ];
      for (const [body, message] of cases) {
        const res = await http.post(
          '/__admin/faults',
          typeof body === 'string' ? body : JSON.stringify(body),
        );
        expect(res.status).toBe(400);
        expect(res.data.message).toMatch(message);
      }
      expect((await http.get('/__admin/faults')).data).toEqual(before);
      expect(before.faults.land).toEqual({ errorRate: 0.3, errorKind: ['http503', 'busy'] });
      expect((await http.put('/__admin/faults', {})).status).toBe(405);
      expect((await http.get('/__admin/other')).status).toBe(404);
      expect(handle.platforms.requests()).toEqual([]); // admin calls are not platform traffic
    } finally {
      await handle.stop();
    }
  });

  it('is off unless asked for (startMockPlatforms) and with --no-admin', async () => {
    const plain = await startMockPlatforms();
    const noAdmin = await runMockCommand({ port: 0, admin: false }, quiet);
    try {
      for (const url of [plain.url, noAdmin.platforms.url]) {
        const res = await client(url).post('/__admin/faults', { scenario: 'outage' });
        expect(res.status).toBe(404);
      }
    } finally {
      await plain.close();
      await noAdmin.stop();
    }
  });
});

describe('handleFaultAdmin', () => {
  it('answers loopback clients only', () => {
    const engine = createMockEngine();
    const post = (remoteAddress: string | undefined) =>
      handleFaultAdmin(engine, {
        method: 'POST',
        path: '/__admin/faults',
        body: '{"scenario":"outage"}',
        remoteAddress,
      });
    for (const address of ['10.0.0.5', '::ffff:192.168.1.2', '2001:db8::1', undefined, '127.0.0.1.evil']) {
      expect(post(address).status).toBe(403);
    }
    expect(engine.fault('land')).toBeUndefined();
    expect(post('::ffff:127.0.0.1').status).toBe(200);
    expect(engine.fault('land')).toEqual({ down: true });
  });

  it('recognises loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['0.0.0.0', '::', '128.0.0.1', '::ffff:10.0.0.1'].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
