import pino from 'pino';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type CallEvent, createGateway, type RetryEvent } from 'vn-national-gateway';
import { echo, ok } from '../helpers/echo-adapter.js';

const reply = (n: number) => ({ status: 200, headers: {}, body: ok({ n }) });

function setup() {
  return createGateway({
    upstreams: {
      echo: echo({
        baseUrl: 'http://echo.test',
        auth: { type: 'bearer', token: 't' },
        transport: { request: async () => reply(1) },
      }),
    },
    client: 'VN/GOV/test',
    logger: pino({ level: 'silent' }),
    drainer: { autoStart: false },
  });
}

describe('gateway.events', () => {
  it('on / off / once, typed per event name', async () => {
    const g = setup();
    const seen: string[] = [];
    const onCall = (e: CallEvent) => seen.push(`on:${e.outcome}`);
    const onceCall = (e: CallEvent) => seen.push(`once:${e.operation}`);
    g.events.on('call', onCall);
    g.events.once('call', onceCall);
    g.events.on('retry', (e) => expectTypeOf(e).toEqualTypeOf<RetryEvent>());
    // @ts-expect-error not an event name
    g.events.on('calls', () => {});
    // @ts-expect-error a call event has no `code`
    g.events.on('call', (e) => e.code);
    await g.echo.ping({ n: 1 });
    await g.echo.ping({ n: 1 });
    g.events.off('call', onCall);
    await g.echo.ping({ n: 1 });
    expect(seen).toEqual(['on:ok', 'once:ping', 'on:ok']);
    // off() of a once listener before it fired removes it
    const never = () => seen.push('never');
    g.events.once('call', never);
    g.events.off('call', never);
    await g.echo.ping({ n: 1 });
    expect(seen).toHaveLength(3);
    await g.close();
  });

  it('iterates events until the signal aborts, buffering while the loop is busy', async () => {
    const g = setup();
    const ac = new AbortController();
    const ops: number[] = [];
    const loop = (async () => {
      for await (const e of g.events.iterate('call', { signal: ac.signal })) {
        expectTypeOf(e).toEqualTypeOf<CallEvent>();
        ops.push(e.attempts);
        if (ops.length === 3) ac.abort();
      }
    })();
    // Emitted before the loop reads them: buffered, none lost.
    await Promise.all([g.echo.ping({ n: 1 }), g.echo.ping({ n: 1 }), g.echo.ping({ n: 1 })]);
    await g.echo.ping({ n: 1 });
    await loop;
    expect(ops).toEqual([1, 1, 1]);
    await g.close();
  });

  it('ends open iterations on close and on break, and drops the oldest past maxBuffered', async () => {
    const g = setup();
    const it1 = g.events.iterate('call', { maxBuffered: 2 });
    for (let i = 0; i < 5; i++) await g.echo.ping({ n: 1 });
    const first = await it1.next();
    expect(first.done).toBe(false);
    const broken = (async () => {
      for await (const _ of g.events.iterate('call')) break;
    })();
    await g.echo.ping({ n: 1 });
    await broken;
    const pending = it1.next(); // the second buffered event
    expect((await pending).done).toBe(false);
    const waiting = it1.next(); // the 6th call's event
    expect((await waiting).done).toBe(false);
    const last = it1.next();
    await g.close();
    expect(await last).toEqual({ value: undefined, done: true });
  });

  it('an already aborted signal yields nothing', async () => {
    const g = setup();
    const events = [];
    for await (const e of g.events.iterate('call', { signal: AbortSignal.abort() })) events.push(e);
    expect(events).toEqual([]);
    await g.close();
  });
});
