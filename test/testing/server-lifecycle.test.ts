import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startMockPlatforms } from '../../src/testing/index.js';
import { client, getToken, xroad } from './helpers.js';

describe('server lifecycle', () => {
  it('close() with a hung request in flight resolves promptly and leaves nothing open', async () => {
    const servers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
    const before = servers();
    const mock = await startMockPlatforms({ faults: { land: { hang: true } } });
    const http = client(mock.url);
    const token = await getToken(http);
    const pending = http.get('/land/v1/giay-chung-nhan/CS123456', { headers: xroad(token) });
    const settled = pending.then(
      () => 'answered',
      (e: { code?: string }) => e.code,
    );
    await expect.poll(() => mock.requests('land').length).toBe(1);
    expect(mock.openConnections()).toBeGreaterThan(0);

    const started = performance.now();
    await mock.close();
    expect(performance.now() - started).toBeLessThan(500);
    expect(mock.server.listening).toBe(false);
    expect(mock.openConnections()).toBe(0);
    await new Promise((r) => setImmediate(r)); // libuv releases the handle after the close callback
    expect(servers()).toBe(before);
    expect(await settled).toMatch(/ECONNRESET|ERR_BAD_RESPONSE|socket hang up/);
    await mock.close(); // idempotent
  });

  it('close() cancels delayed answers', async () => {
    const mock = await startMockPlatforms({ faults: { tax: { latencyMs: 10_000 } } });
    const http = client(mock.url);
    const token = await getToken(http);
    const pending = http.get('/tax/v1/nguoi-nop-thue/0312345673', { headers: xroad(token) }).catch((e) => e);
    await expect.poll(() => mock.requests('tax').length).toBe(1);
    const started = performance.now();
    await mock.close();
    expect(performance.now() - started).toBeLessThan(500);
    await pending;
  });

  it('a write whose answer is delayed past the client timeout is still applied once', async () => {
    // The answer is held back (never waited for: the client gives up as soon as the write landed).
    const mock = await startMockPlatforms({ faults: { tax: { latencyMs: 5_000 } } });
    try {
      const http = client(mock.url);
      const token = await getToken(http);
      const body = {
        maHoSo: 'HS-1',
        soDinhDanh: '079205011223',
        hoTen: 'Đặng Quốc Bảo',
        ngaySinh: '20051224',
      };
      const headers = () => xroad(token, { 'idempotency-key': 'HS-1' });
      const controller = new AbortController();
      const first = http.post('/tax/v1/dang-ky-thue', body, {
        headers: headers(),
        signal: controller.signal,
      });
      await expect.poll(() => mock.registrations('tax').length).toBe(1);
      controller.abort();
      await expect(first).rejects.toMatchObject({ code: 'ERR_CANCELED' });

      mock.setFault('tax', undefined);
      const retry = await http.post('/tax/v1/dang-ky-thue', body, { headers: headers() });
      expect(retry.data.result).toEqual({
        maHoSoThue: mock.registrations('tax')[0]!.receiptId,
        trangThai: 'TIEP_NHAN',
      });
      expect(mock.registrations('tax')).toHaveLength(1);
      expect(mock.requests('tax').map((r) => r.replayed)).toEqual([false, true]);
    } finally {
      await mock.close();
    }
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const mock = await startMockPlatforms();
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${mock.url}/tax/v1/dang-ky-thue`, { method: 'POST' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end('x'.repeat(1024 * 1024 + 1));
      });
      expect(status).toBe(413);
    } finally {
      await mock.close();
    }
  });

  it('fails to start on a port in use', async () => {
    const a = await startMockPlatforms();
    try {
      const port = Number(new URL(a.url).port);
      await expect(startMockPlatforms({ port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await a.close();
    }
  });
});
