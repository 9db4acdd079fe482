/**
 * Many calls in flight on one gateway (a busy ward, or an instance restarting with a backlog) must
 * not make Node print "MaxListenersExceededWarning: Possible EventTarget memory leak": every call
 * listens to the gateway's shutdown signal, and every replay of a batch to the drainer's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryOutbox } from 'vn-national-gateway';
import { CTX, ok } from '../helpers/echo-adapter.js';
import { echoGateway } from '../helpers/echo-gateway.js';
import { reply, scriptedTransport } from '../helpers/scripted-transport.js';

const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
afterEach(() => {
  process.off('warning', onWarning);
  warnings.length = 0;
});

describe('many calls in flight', () => {
  it('30 concurrent calls and a 30-item replay batch print no listener-leak warning', async () => {
    process.on('warning', onWarning);
    const answers = Array.from({ length: 30 }, (_, i) => reply(200, ok({ receiptId: `R-${i}` })));
    const outbox = memoryOutbox();
    const gateway = echoGateway(scriptedTransport(...answers, ...answers), {
      policy: { retry: { maxAttempts: 1 } },
      outbox,
      drainer: { autoStart: false, batch: 30, initialPerSecond: 1000, perSecond: 1000 },
    });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => gateway.echo.submit({ dossierCode: `HS-${i}`, value: i }, CTX)),
    );
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    for (let i = 0; i < 30; i++)
      await gateway.outbox.enqueue('echo.submit', { dossierCode: `HS-Q-${i}`, value: i }, CTX);
    expect(await gateway.outbox.drain()).toEqual({ delivered: 30, rescheduled: 0, dead: 0 });
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    expect(warnings.filter((w) => /MaxListeners/.test(w))).toEqual([]);
    await gateway.close();
  });
});
