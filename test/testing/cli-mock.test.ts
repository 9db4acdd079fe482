import { describe, expect, it } from 'vitest';
import { runMockCommand } from '../../src/testing/cli-mock.js';
import { client, getToken } from './helpers.js';

describe('runMockCommand', () => {
  it('starts the mock, prints every URL and the credentials, and stops', async () => {
    let out = '';
    const handle = await runMockCommand(
      { port: 0, scenario: 'drift', seed: 9 },
      { stdout: { write: (s: string) => (out += s) } },
    );
    try {
      const { url } = handle.platforms;
      for (const text of [
        url,
        `${url}/c06/v1`,
        `${url}/land/v1`,
        `${url}/tax/v1`,
        `${url}/token`,
        'hcmc-tthc',
        'mock-secret',
        'drift',
        'seed: 9',
      ]) {
        expect(out).toContain(text);
      }
      const token = await getToken(client(url));
      expect(token).toEqual(expect.any(String));
    } finally {
      await handle.stop();
    }
    expect(handle.platforms.server.listening).toBe(false);
  });

  it('refuses an unknown scenario before listening', async () => {
    await expect(
      runMockCommand({ port: 0, scenario: 'storm' }, { stdout: { write: () => true } }),
    ).rejects.toThrow(/Unknown scenario "storm"/);
  });
});
