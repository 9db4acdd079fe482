/**
 * PostgreSQL unreachable for ~10 s under load. The real server is shared, so it is not stopped: the
 * gateway's pool goes through a TCP proxy on 127.0.0.1 (test/helpers/tcp-proxy.ts) that is cut
 * (every connection destroyed, new ones closed at once) and then restored.
 *
 * While the land registry fails half the writes (each then goes to the outbox), officers keep
 * submitting. During the outage a write that needs the outbox must fail at once with a typed error
 * saying it was NOT queued (never a silent loss, never a hang); nothing accepted before is lost;
 * and the same gateway (no restart) resumes draining by itself once the proxy is back.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGateway,
  type DrainerOptions,
  isGatewayError,
  isOutboxStoreError,
  postgresOutbox,
} from 'vn-national-gateway';
import { landRegistry } from 'vn-national-gateway/adapters';
import {
  fixtures,
  MOCK_CREDENTIALS,
  type MockPlatforms,
  startMockPlatforms,
} from 'vn-national-gateway/testing';
import { landRegistration } from '../helpers/land-registration.js';
import { requirePostgres } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { pgSchema } from './helpers.js';

const postgres = await requirePostgres({ suite: 'PostgreSQL outbox outage' });
const OUTAGE_MS = 10_000;
const OFFICERS = 4;

describe.skipIf(!postgres.available)(
  'PostgreSQL outbox: the database unreachable for 10 s under load',
  () => {
    const pg = pgSchema();
    let platforms: MockPlatforms;
    let proxy: TcpProxy;

    beforeAll(async () => {
      platforms = await startMockPlatforms({ port: 0 });
      const target = new URL(postgres.url);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    });
    afterAll(async () => {
      await proxy.close();
      await platforms.close();
      await pg.drop();
    });

    /** A gateway whose failed land-registry writes go to the outbox at once, reached through the proxy. */
    const gatewayViaProxy = (
      outbox: { table: string; enqueueTimeoutMs?: number },
      drainer: DrainerOptions,
    ) => {
      const viaProxy = new URL(postgres.url);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      return createGateway({
        client: 'VN/GOV/test/pg-outage',
        upstreams: {
          land: landRegistry({
            baseUrl: platforms.url,
            auth: { type: 'oauth2', tokenUrl: platforms.urls.token, ...MOCK_CREDENTIALS },
            // One attempt and a breaker that stays closed: every failed write goes to the outbox now.
            policy: { retry: { maxAttempts: 1 }, breaker: { minimumCalls: 1_000_000 } },
          }),
        },
        logger: pino({ level: 'silent' }),
        outbox: postgresOutbox({ connectionString: viaProxy.toString(), schema: pg.schema, ...outbox }),
        drainer,
      });
    };
    const citizen = fixtures.citizens[0]!;
    /** One land-registration write for `dossierCode`. */
    const submit = (gateway: ReturnType<typeof gatewayViaProxy>, dossierCode: string) =>
      gateway.land.submitRegistration(landRegistration(dossierCode), {
        purpose: '1.004227',
        actor: 'officer-17',
      });

    it('refuses new queued writes loudly, loses nothing accepted, and drains again by itself', async () => {
      const gateway = gatewayViaProxy(
        { table: 'outbox' },
        {
          pollMs: 100,
          leaseMs: 2_000,
          baseDelayMs: 100,
          maxDelayMs: 400,
          initialPerSecond: 20,
          perSecond: 200,
        },
      );
      const delivered: { ticket: string; at: number }[] = [];
      gateway.on('outbox:delivered', (e) => delivered.push({ ticket: e.ticket, at: Date.now() }));
      platforms.setFault('land', { errorRate: 0.5, errorKind: ['http503'] });

      interface Outcome {
        key: string;
        started: number;
        ms: number;
        status?: 'ok' | 'queued';
        ticket?: string;
        error?: unknown;
      }
      const outcomes: Outcome[] = [];
      let stop = false;
      let n = 0;
      const officer = async () => {
        while (!stop) {
          const key = `HS-OUTAGE-${String(n++).padStart(5, '0')}`;
          const started = Date.now();
          const o: Outcome = { key, started, ms: 0 };
          try {
            const r = await submit(gateway, key);
            o.status = r.status === 'queued' ? 'queued' : 'ok';
            if (r.status === 'queued') o.ticket = r.ticket;
          } catch (e) {
            o.error = e;
          }
          o.ms = Date.now() - started;
          outcomes.push(o);
          await new Promise((r) => setTimeout(r, 30));
        }
      };
      const until = async (predicate: () => boolean, timeoutMs: number, what: string) => {
        const end = Date.now() + timeoutMs;
        while (!predicate()) {
          if (Date.now() > end)
            throw new Error(
              `${what}: not reached in ${timeoutMs} ms (${outcomes.length} writes, ${delivered.length} delivered, errors: ${outcomes
                .filter((o) => o.error)
                .slice(0, 2)
                .map((o) => String(o.error))
                .join('; ')}; statuses ${outcomes
                .map((o) => o.status)
                .slice(0, 20)
                .join(',')})`,
            );
          await new Promise((r) => setTimeout(r, 20));
        }
      };

      const load = Array.from({ length: OFFICERS }, officer);
      // Before: writes queued and the drainer delivering them.
      await until(() => delivered.length >= 10, 30_000, 'drainer delivering before the outage');
      const cutAt = Date.now();
      proxy.cut();
      await new Promise((r) => setTimeout(r, OUTAGE_MS)); // the outage itself: real time, on purpose
      const restoredAt = Date.now();
      proxy.restore();
      await new Promise((r) => setTimeout(r, 1_500)); // load goes on after the return
      stop = true;
      await Promise.all(load);
      platforms.setFault('land', undefined);

      // Nothing accepted is lost: the SAME gateway drains every queued write once the database is back.
      const queued = outcomes.filter((o) => o.status === 'queued');
      await until(
        () => {
          const done = new Set(delivered.map((d) => d.ticket));
          return queued.every((o) => done.has(o.ticket!));
        },
        30_000,
        'every queued write delivered',
      );
      const firstAfter = delivered.find((d) => d.at >= restoredAt);
      expect(firstAfter, 'the drainer resumed without a restart').toBeDefined();
      expect(await gateway.outbox.counts()).toMatchObject({ pending: 0, delivering: 0, dead: 0 });
      for (const o of queued) expect((await gateway.outbox.get(o.ticket!))?.state).toBe('delivered');

      // During the outage: a write needing the outbox failed at once, typed, saying NOT queued.
      const refused = outcomes.filter((o) => o.error !== undefined);
      const during = outcomes.filter((o) => o.started >= cutAt + 500 && o.started + o.ms <= restoredAt);
      expect(during.filter((o) => o.error).length, 'writes refused during the outage').toBeGreaterThan(0);
      expect(during.filter((o) => o.status === 'queued')).toEqual([]);
      for (const o of refused) {
        const e = o.error;
        expect(isGatewayError(e), String(e)).toBe(true);
        if (!isGatewayError(e)) continue;
        expect(e.code).toBe('NOT_SAVED');
        expect(e.message).toMatch(/NOT queued/);
        expect(e.userMessage).toMatch(/CHƯA được lưu/);
        expect(e.retryable).toBe(true);
        expect(isOutboxStoreError(e.cause, 'UNAVAILABLE'), String(e.cause)).toBe(true);
        expect(`${e.message} ${(e.cause as Error).message}`).not.toMatch(
          new RegExp(`${citizen.personalId}|${citizen.fullName}`),
        );
        expect(o.ms, 'refused fast, not after a hang').toBeLessThan(5_000);
        // Refused only while the proxy was down (or in the instant it came back).
        expect(o.started).toBeGreaterThanOrEqual(cutAt - 100);
        expect(o.started).toBeLessThanOrEqual(restoredAt + 1_000);
      }

      // Upstream: exactly the writes answered live or queued, each processed once; none refused.
      const registered = platforms.registrations('land').map((r) => r.idempotencyKey);
      const accepted = outcomes.filter((o) => o.status !== undefined).map((o) => o.key);
      expect(new Set(registered).size).toBe(registered.length);
      const registeredSet = new Set(registered);
      expect(accepted.filter((k) => !registeredSet.has(k))).toEqual([]);
      // A refused write registered after all: its INSERT reached the server and committed, and the
      // connection died before the answer came back. Never lost: the outbox holds it and delivered
      // it; the caller, told NOT queued, resubmits with the same key and the platform deduplicates.
      const acceptedSet = new Set(accepted);
      const held = new Map((await gateway.outbox.list()).map((i) => [i.idempotencyKey, i]));
      const ackLost = refused.filter((o) => registeredSet.has(o.key));
      for (const o of ackLost) {
        expect(held.get(o.key)?.state, o.key).toBe('delivered');
        expect(String((o.error as Error).cause)).toMatch(/Connection terminated/);
      }
      expect(registered.filter((k) => !acceptedSet.has(k) && !held.has(k))).toEqual([]);
      const rawWrites = platforms.requests('land').filter((r) => r.method === 'POST').length;
      console.info(
        `[pg-outage] ${outcomes.length} writes (${outcomes.filter((o) => o.status === 'ok').length} live, ` +
          `${queued.length} queued, ${refused.length} refused NOT queued (${ackLost.length} of them stored after all: answer lost with the connection), slowest refusal ${Math.max(0, ...refused.map((o) => o.ms))} ms); ` +
          `outage ${restoredAt - cutAt} ms; proxy refused ${proxy.refused} connections; ` +
          `first delivery ${firstAfter!.at - restoredAt} ms after the return, all ${queued.length} delivered ` +
          `${Math.max(...delivered.map((d) => d.at)) - restoredAt} ms after it; ${rawWrites} raw write requests`,
      );
      await gateway.close();
    }, 90_000);

    it('a silent database (a partition: no reset, no answer) fails the write NOT queued within enqueueTimeoutMs instead of hanging', async () => {
      const gateway = gatewayViaProxy({ table: 'silent', enqueueTimeoutMs: 1_500 }, { autoStart: false });
      platforms.reset();
      platforms.setFault('land', { down: true });
      expect((await submit(gateway, 'HS-SILENT-1')).status).toBe('queued');

      proxy.silence();
      const started = Date.now();
      const e = await submit(gateway, 'HS-SILENT-2').catch((x: unknown) => x);
      const waited = Date.now() - started;
      proxy.restore();
      expect(isGatewayError(e) && e.code, String(e)).toBe('NOT_SAVED');
      expect(isGatewayError(e) && e.message, String(e)).toMatch(/NOT queued/);
      expect(isOutboxStoreError((e as Error).cause, 'UNAVAILABLE')).toBe(true);
      expect(((e as Error).cause as Error).message).toMatch(/did not answer within 1500 ms/);
      expect(waited).toBeGreaterThanOrEqual(1_400);
      expect(waited, 'bounded, not a hang').toBeLessThan(6_000);

      // The city system resubmits with the same dossier code once things are back: registered
      // once, even if the silenced insert landed after all (it is then delivered as a replay).
      platforms.setFault('land', undefined);
      expect((await submit(gateway, 'HS-SILENT-2')).status).toBe('ok');
      for (let i = 0; i < 50; i++) {
        await gateway.outbox.drain();
        const c = await gateway.outbox.counts();
        if (c.pending + c.delivering === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const keys = platforms.registrations('land').map((r) => r.idempotencyKey);
      expect([...keys].sort()).toEqual(['HS-SILENT-1', 'HS-SILENT-2']);
      const late = (await gateway.outbox.list()).filter((i) => i.idempotencyKey === 'HS-SILENT-2');
      console.info(
        `[pg-outage] silent database: refused after ${waited} ms (enqueueTimeoutMs 1500); the silenced insert ${late.length > 0 ? `landed later (${late[0]!.state})` : 'never landed'}`,
      );
      await gateway.close();
    }, 60_000);
  },
);
