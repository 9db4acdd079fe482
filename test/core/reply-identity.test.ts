/**
 * Reply identity in the core, on a small platform defined with the public API: every profile
 * operation declares what identifies its reply (or why nothing does); a reply about something
 * other than the request is CONTRACT (not retried, counted, logged with field names only); and the
 * stale cache neither stores nor serves it, nor hides it behind an older good answer.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  type ContractEvent,
  createGateway,
  defineAdapter,
  defineOperation,
  defineProfile,
  type IdentityField,
  isGatewayError,
  type WireProfile,
} from 'vn-national-gateway';
import { z } from 'zod';
import { echo, echoProfile } from '../helpers/echo-adapter.js';
import { reply, type Step, scriptedTransport } from '../helpers/scripted-transport.js';
import { manualClock } from '../telemetry/helpers.js';

const operations = {
  find: defineOperation({
    kind: 'read',
    input: z.object({ code: z.string(), region: z.number().int().optional() }),
    output: z.object({ code: z.string(), name: z.string() }),
    policy: { cache: { ttlMs: 60_000, maxStaleMs: 3_600_000 } },
  }),
};
type Input = z.output<typeof operations.find.input>;
type Wire = { ma: string; vung?: number | null; ten: string };

/** `ma` must be the code asked (case-blind, as the contract says); `vung` the region, when sent. */
const identity: IdentityField<Input>[] = [
  { field: 'ma', asked: (i) => i.code, answered: (d: Wire) => d.ma, ignoreCase: true },
  { field: 'vung', asked: (i) => i.region, answered: (d: Wire) => d.vung, optional: true },
];

function profileWith(id: unknown): WireProfile<typeof operations> {
  return {
    name: 'registry-json',
    envelope: (r) => ({ ok: true, data: r.body }),
    operations: {
      find: {
        request: (i) => ({ method: 'GET', path: `/find/${i.code}` }),
        data: z.object({ ma: z.string(), vung: z.number().nullish(), ten: z.string() }),
        identity: id as typeof identity,
        decode: (d: Wire) => ({ code: d.ma, name: d.ten }),
      },
    },
  };
}

const registry = defineAdapter({
  name: 'registry',
  operations,
  profile: defineProfile(operations, profileWith(identity)),
});

function setup(...script: Step[]) {
  const transport = scriptedTransport(...script);
  const clock = manualClock();
  const lines: string[] = [];
  const gateway = createGateway({
    upstreams: {
      reg: registry({
        baseUrl: 'http://reg.test',
        auth: { type: 'none' },
        transport,
        policy: { retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 } },
      }),
    },
    logger: pino({ level: 'info' }, { write: (s: string) => void lines.push(s) }),
    clock,
    drainer: { autoStart: false },
  });
  const violations: ContractEvent[] = [];
  gateway.on('contract:violation', (e) => violations.push(e));
  return { gateway, transport, clock, violations, logText: () => lines.join('') };
}

const answer = (ma: string, extra: Partial<Wire> = {}) => reply(200, { ma, ten: 'Công ty A', ...extra });
const DOWN = reply(503, 'down');

async function contract(p: Promise<unknown>) {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isGatewayError(e, 'CONTRACT')) throw new Error(`expected CONTRACT, got ${String(e)}`);
  return e;
}

describe('declaring the reply identity', () => {
  it('defineProfile refuses an operation that declares neither fields nor { none: reason }', () => {
    for (const bad of [
      undefined,
      [],
      { none: '' },
      { none: '  ' },
      [{ field: 'ma' }],
      [{ asked: () => 1, answered: () => 1 }],
      'none',
      [{ field: 'ma', asked: () => 1, answered: () => 1, same: 'x' }],
    ]) {
      expect(() => defineProfile(operations, profileWith(bad)), JSON.stringify(bad)).toThrow(
        ConfigurationError,
      );
    }
    expect(() => defineProfile(operations, profileWith(undefined))).toThrow(/find: no reply identity/);
    expect(() => defineProfile(operations, profileWith({ none: 'the reply is a boolean' }))).not.toThrow();
  });

  it('createGateway refuses a profile (not made with defineProfile) whose operation declares none', () => {
    const { identity: _, ...ping } = echoProfile.operations.ping;
    const profile = {
      ...echoProfile,
      operations: { ...echoProfile.operations, ping },
    } as unknown as typeof echoProfile;
    expect(() =>
      createGateway({
        upstreams: { echo: echo({ baseUrl: 'http://echo.test', auth: { type: 'none' }, profile }) },
        logger: pino({ level: 'silent' }),
      }),
    ).toThrow(/upstreams\.echo: profile echo-json, operation ping: no reply identity/);
  });
});

describe('checking the reply identity', () => {
  it('a reply about another code is CONTRACT after one attempt, counted, with field names only', async () => {
    const { gateway, transport, violations, logText } = setup(answer('ZX-9981'));
    const e = await contract(gateway.reg.find({ code: 'AB-1234' }));
    expect(transport.requests).toHaveLength(1);
    expect(e.retryable).toBe(false);
    expect(e.issues).toEqual([
      {
        path: 'data.ma',
        message: expect.stringContaining('differs from the request'),
        code: 'invalid_value',
      },
    ]);
    expect(violations).toEqual([expect.objectContaining({ operation: 'find', issues: e.issues })]);
    expect(await gateway.metrics()).toMatch(
      /vngw_contract_violations_total\{upstream="reg",operation="find"\} 1/,
    );
    expect(logText()).toContain('ma does not match the request');
    for (const value of ['ZX-9981', 'AB-1234']) {
      expect(logText()).not.toContain(value);
      expect(`${e.message} ${JSON.stringify(e.issues)}`).not.toContain(value);
    }
    await gateway.close();
  });

  it('compares trimmed, in the declared case, numbers as text; an optional field only when sent', async () => {
    const { gateway } = setup(
      answer(' ab-1234 '),
      answer('AB-1234', { vung: 7 }),
      answer('AB-1234', { vung: null }),
      answer('AB-1234', { vung: 8 }),
    );
    expect((await gateway.reg.find({ code: 'AB-1234' })).status).toBe('ok');
    expect((await gateway.reg.find({ code: 'AB-1234', region: 7 })).status).toBe('ok');
    expect((await gateway.reg.find({ code: 'AB-1234', region: 7 })).status).toBe('ok');
    const e = await contract(gateway.reg.find({ code: 'AB-1234', region: 7 }));
    expect(e.issues!.map((i) => i.path)).toEqual(['data.vung']);
    await gateway.close();
  });

  it('a reply that does not say what it is about (a required field empty) is CONTRACT', async () => {
    const { gateway } = setup(answer(''));
    const e = await contract(gateway.reg.find({ code: 'AB-1234' }));
    expect(e.issues).toEqual([expect.objectContaining({ path: 'data.ma', code: 'invalid_value' })]);
    await gateway.close();
  });

  it('a profile function that throws while checking is CONTRACT naming the profile', async () => {
    const throwing = defineAdapter({
      name: 'registry',
      operations,
      profile: defineProfile(
        operations,
        profileWith([
          {
            field: 'ma',
            asked: () => 'x',
            answered: () => {
              throw new Error('boom 079203001234');
            },
          },
        ]),
      ),
    });
    const gateway = createGateway({
      upstreams: {
        reg: throwing({
          baseUrl: 'http://reg.test',
          auth: { type: 'none' },
          transport: scriptedTransport(answer('x')),
        }),
      },
      logger: pino({ level: 'silent' }),
    });
    const e = await contract(gateway.reg.find({ code: 'x' }));
    expect(e.message).toBe('The registry-json profile failed to check the identity of the reply (Error)');
    await gateway.close();
  });
});

describe('the stale cache and a reply about someone else', () => {
  it('never stores it: with nothing cached before, the next outage has no stale answer to give', async () => {
    const { gateway } = setup(answer('ZX-9981'), DOWN);
    await contract(gateway.reg.find({ code: 'AB-1234' }));
    const e = await gateway.reg.find({ code: 'AB-1234' }).catch((x: unknown) => x);
    expect(isGatewayError(e, 'UPSTREAM_UNAVAILABLE')).toBe(true);
    await gateway.close();
  });

  it('never serves an older good answer in its place: the lie surfaces as CONTRACT', async () => {
    const { gateway, clock } = setup(answer('AB-1234'), answer('ZX-9981'), DOWN);
    const good = await gateway.reg.find({ code: 'AB-1234' });
    expect(good.status).toBe('ok');
    clock.advance(120_000); // past the TTL: a live call
    await contract(gateway.reg.find({ code: 'AB-1234' }));
    // The answer kept is the one checked against the request: an outage later may serve it.
    const stale = await gateway.reg.find({ code: 'AB-1234' });
    expect(stale).toMatchObject({ status: 'stale', data: { code: 'AB-1234' } });
    await gateway.close();
  });

  it('a deferred read replayed into a lie goes to the dead letter and is not cached', async () => {
    const { gateway } = setup(DOWN, DOWN, DOWN, answer('ZX-9981'), DOWN);
    const queued = await gateway.reg.find({ code: 'AB-1234' }, { defer: true });
    expect(queued.status).toBe('queued');
    expect(await gateway.outbox.drain()).toMatchObject({ delivered: 0, dead: 1 });
    const [item] = await gateway.outbox.list({ state: 'dead' });
    expect(item?.lastError).toMatchObject({ code: 'CONTRACT' });
    // Nothing cached from the replay: the next outage has no stale answer (it is queued again).
    expect((await gateway.reg.find({ code: 'AB-1234' }, { defer: true })).status).toBe('queued');
    await gateway.close();
  });
});
