import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inCI, requirePostgres, requireRedis } from '../helpers/services.js';

/** A port that was just free: bind, read it, close. */
async function closedPort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('test/helpers/services', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads CI like CI systems set it', () => {
    expect(inCI({})).toBe(false);
    expect(inCI({ CI: 'false' })).toBe(false);
    expect(inCI({ CI: '0' })).toBe(false);
    expect(inCI({ CI: 'true' })).toBe(true);
    expect(inCI({ CI: '1' })).toBe(true);
  });

  it('without CI, a closed port marks the suite skipped and says why in one line', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const port = await closedPort();
    const r = await requireRedis({ url: `redis://127.0.0.1:${port}`, env: {}, suite: 'quota' });
    expect(r.available).toBe(false);
    expect(r.reason).toContain(`127.0.0.1:${port}`);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/SKIPPED quota: Redis not reachable .*set CI=true/);
  });

  it('with CI=true, a closed port fails instead of skipping', async () => {
    const port = await closedPort();
    await expect(
      requirePostgres({ url: `postgres://postgres@127.0.0.1:${port}/test`, env: { CI: 'true' } }),
    ).rejects.toThrow(/PostgreSQL cannot run: .*CI is set/);
  });

  it('an open port is available', async () => {
    const s = createServer((c) => c.end());
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    try {
      const r = await requirePostgres({ url: `postgres://u@127.0.0.1:${port}/x`, env: { CI: 'true' } });
      expect(r).toEqual({ available: true, url: `postgres://u@127.0.0.1:${port}/x` });
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });
});
