import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createGateway, memoryOutbox, sqliteOutbox } from 'vn-national-gateway';
import { BASE, echo } from '../helpers/echo-adapter.js';

function capture() {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { lines, logger };
}
const upstreams = () => ({ echo: echo({ baseUrl: BASE, auth: { type: 'bearer', token: 't' } }) });

describe('a non-durable outbox is never silent', () => {
  it('the default memory outbox warns once at start and shows outboxDurable: false in health', async () => {
    const { lines, logger } = capture();
    const g = createGateway({ upstreams: upstreams(), client: 'VN/GOV/000.00.00.H29/hcmc-tthc', logger });
    const warnings = lines.filter((l) => l.level === 40 && /NOT durable/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect((await g.health()).outboxDurable).toBe(false);
    await g.health();
    expect(lines.filter((l) => /NOT durable/.test(l.msg))).toHaveLength(1);
    await g.close();
  });

  it('an explicit memoryOutbox() warns too', async () => {
    const { lines, logger } = capture();
    const g = createGateway({ upstreams: upstreams(), outbox: memoryOutbox(), logger });
    expect(lines.some((l) => l.level === 40 && /NOT durable/.test(l.msg))).toBe(true);
    await g.close();
  });

  it('SQLite is durable: no warning, outboxDurable: true', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vngw-durable-'));
    try {
      const { lines, logger } = capture();
      const g = createGateway({
        upstreams: upstreams(),
        outbox: sqliteOutbox({ path: join(dir, 'o.db') }),
        logger,
      });
      expect(lines.some((l) => /NOT durable/.test(l.msg))).toBe(false);
      expect((await g.health()).outboxDurable).toBe(true);
      await g.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
