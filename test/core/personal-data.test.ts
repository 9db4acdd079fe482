import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type AuditTrail,
  createGateway,
  defineAdapter,
  defineOperation,
  defineProfile,
} from 'vn-national-gateway';
import { reply, scriptedTransport } from '../helpers/scripted-transport.js';

const lookup = defineOperation({
  kind: 'read',
  input: z.object({ code: z.string().regex(/^\d{10}$|^\d{12}$/) }),
  output: z.object({ name: z.string() }),
  // A 12-digit code is a person's ID: citizen data. A 10-digit one is an enterprise's.
  personalData: (i) => i.code.length === 12,
  subject: (i) => (i.code.length === 12 ? i.code : undefined),
});
const operations = { lookup };
const profile = defineProfile(operations, {
  name: 'plain',
  envelope: (r) => ({ ok: true, data: r.body }),
  operations: {
    lookup: {
      request: (i) => ({ method: 'GET', path: `/x/${i.code}` }),
      data: z.object({ name: z.string() }),
      identity: { none: 'the test reply is a name only' },
      decode: (d: { name: string }, _info, input) => ({ name: `${d.name} (${input.code.length})` }),
    },
  },
});
const registry = defineAdapter({ name: 'registry', operations, profile });

function setup(audit?: AuditTrail) {
  const transport = scriptedTransport(reply(200, { name: 'A' }));
  const gateway = createGateway({
    upstreams: { reg: registry({ baseUrl: 'http://reg.test', auth: { type: 'none' }, transport }) },
    logger: pino({ level: 'silent' }),
    drainer: { autoStart: false },
    audit,
  });
  return { gateway, transport };
}

describe('personalData decided per input', () => {
  it('requires purpose and actor only for a personal ID; decode sees the validated input', async () => {
    const { gateway, transport } = setup();
    await expect(gateway.reg.lookup({ code: '0300588569' })).resolves.toMatchObject({
      data: { name: 'A (10)' },
    });
    await expect(gateway.reg.lookup({ code: '079203001234' })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'context.purpose' }, { path: 'context.actor' }],
    });
    expect(transport.requests).toHaveLength(1);
    await gateway.close();
  });

  it('a failing audit sink is logged, and the call still answers once', async () => {
    const broken: AuditTrail = {
      record() {
        throw new Error('disk full');
      },
      flush: async () => {},
      close: async () => {},
    };
    const { gateway } = setup(broken);
    const outcomes: string[] = [];
    gateway.on('call', (e) => outcomes.push(e.outcome));
    await expect(
      gateway.reg.lookup({ code: '079203001234' }, { purpose: '1.0', actor: 'a' }),
    ).resolves.toMatchObject({
      status: 'ok',
    });
    expect(outcomes).toEqual(['ok']);
    await gateway.close();
  });
});
