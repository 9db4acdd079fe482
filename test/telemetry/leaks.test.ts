import { createHook } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGateway, type Gateway } from 'vn-national-gateway';
import { EventBus } from '../../src/events.js';
import { echo } from '../helpers/echo-adapter.js';
import { PONG, silent } from './helpers.js';

const N = 1000;
const adapter = () =>
  echo({
    baseUrl: 'http://echo.test',
    auth: { type: 'bearer', token: 't' },
    transport: { request: async () => PONG },
  });
/** A gateway of two upstreams, with the drainer on (its poll timer is part of what must go). */
const make = () => createGateway({ upstreams: { a: adapter(), b: adapter() }, logger: silent });
const processListeners = () => process.eventNames().reduce((n, e) => n + process.listenerCount(e), 0);

afterEach(() => {
  vi.useRealTimers();
});

describe(`creating and closing ${N} gateways`, () => {
  it('leaves no timer (fake timers count unref-ed ones too), no EventBus listener, no process listener', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
    });
    const buses = new Set<EventBus>();
    const on = EventBus.prototype.on;
    vi.spyOn(EventBus.prototype, 'on').mockImplementation(function (this: EventBus, ...args) {
      buses.add(this);
      return on.apply(this, args as Parameters<typeof on>);
    });
    const timersBefore = vi.getTimerCount();
    const listenersBefore = processListeners();

    const gateways: Gateway<{ a: ReturnType<typeof adapter>; b: ReturnType<typeof adapter> }>[] = [];
    for (let i = 0; i < N; i++) gateways.push(make());
    // Per gateway: the drainer's poll of each upstream's lane (a and b) and its hourly purge (the
    // breakers keep no timer: they read the clock).
    expect(vi.getTimerCount() - timersBefore).toBe(3 * N);
    expect(buses.size).toBe(N);
    for (const g of gateways) await g.close();

    expect(vi.getTimerCount()).toBe(timersBefore);
    expect([...buses].every((b) => b.listenerCount() === 0)).toBe(true);
    expect(processListeners()).toBe(listenersBefore);
  });

  it('leaves no live Timeout with real timers (async_hooks sees unref-ed timers that getActiveResourcesInfo does not)', async () => {
    const live = new Set<number>();
    const hook = createHook({
      init(id, type) {
        if (type === 'Timeout') live.add(id);
      },
      destroy(id) {
        live.delete(id);
      },
    });
    const refTimeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const refBefore = refTimeouts();
    hook.enable();
    try {
      const gateways = [];
      for (let i = 0; i < N; i++) gateways.push(make());
      expect(live.size).toBe(3 * N); // two lane polls and the purge per gateway
      expect(refTimeouts()).toBe(refBefore); // all unref-ed: invisible to getActiveResourcesInfo
      for (const g of gateways) await g.close();
      await new Promise((r) => setImmediate(r)); // destroy hooks of cleared timers run asynchronously
      expect(live.size).toBe(0);
    } finally {
      hook.disable();
    }
  });

  it('a gateway refused for bad configuration leaves no timer behind', () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
    });
    const before = vi.getTimerCount();
    for (let i = 0; i < 100; i++) {
      expect(() =>
        createGateway({ upstreams: { a: adapter(), b: 'not an adapter' as never }, logger: silent }),
      ).toThrow(/not an adapter/);
      expect(() =>
        createGateway({
          upstreams: { a: adapter(), b: echo({ baseUrl: 'ftp://x', auth: { type: 'bearer', token: 't' } }) },
          logger: silent,
        }),
      ).toThrow(/baseUrl/);
    }
    expect(vi.getTimerCount()).toBe(before);
  });

  it('closed gateways are garbage-collected (nothing global keeps them)', async (ctx) => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;
    if (!gc) return ctx.skip();
    // In a function of its own, so no frame of this test holds the last gateway.
    const cycle = async () => {
      const g = make();
      await g.a.ping({ n: 1 }).catch(() => {}); // a call, so pipeline state exists; its result does not matter here
      await g.close();
      return new WeakRef(g);
    };
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 200; i++) refs.push(await cycle());
    for (let i = 0; i < 5 && refs.some((r) => r.deref()); i++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
    expect(refs.filter((r) => r.deref()).length).toBe(0);
  });
});
