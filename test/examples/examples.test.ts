/**
 * The examples run as documented: the quick start and the custom adapter as child processes
 * (`node --import tsx`, exit code and output lines), the ward counter in-process against the mock
 * platforms over loopback (live flow, VNeID and land outages, durable outbox, health and metrics).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuthOptions, HealthSnapshot } from 'vn-national-gateway';
import {
  fixtures,
  MOCK_CREDENTIALS,
  type MockPlatforms,
  startMockPlatforms,
} from 'vn-national-gateway/testing';
import {
  createWardCounter,
  type WardCounter,
  type WardCounterOptions,
} from '../../examples/ward-counter/server.js';
import { requirePostgres } from '../helpers/services.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs an example as a user would (`node --import tsx <file>`), with no network but loopback. */
function runExample(
  file: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('examples/quickstart.ts', () => {
  it('runs as written and prints each step', async () => {
    const r = await runExample('examples/quickstart.ts');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'citizen: ok, verified=true',
      'parcel: ok, 72.5 m², Phường Cầu Kiệu',
      'registration: ok, receipt BN-000001',
      'taxpayer: ok, Công ty Cổ phần Dịch vụ Công nghệ Sài Gòn',
      'not sent (personalId): Thông tin nhập vào gửi tới hệ thống VNeID không hợp lệ: số định danh cá nhân phải gồm đúng 12 chữ số. Vui lòng kiểm tra lại.',
    ]);
  });
});

describe('examples/custom-adapter.ts', () => {
  it('calls a fourth platform and the tax registry through a replaced profile', async () => {
    const r = await runExample('examples/custom-adapter.ts');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'bhxh book: ok after 1 attempt(s), 7912345678, 84 months (contributing)',
      // BHXH answered "busy" once: retried with the same Idempotency-Key, registered once.
      'bhxh registration: ok after 2 attempt(s), receipt BHXH-1',
      'bhxh registrations stored: 1 (2 write requests)',
      'tax via provincial LGSP: ok after 1 attempt(s), Công ty Cổ phần Dịch vụ Công nghệ Sài Gòn (active)',
      'bhxh.lookupInsuranceBook: NOT_FOUND, Không tìm thấy thông tin trên hệ thống trung ương.',
    ]);
  });
});

const postgres = await requirePostgres({ suite: 'examples/transactional-enqueue.ts' });

describe.skipIf(!postgres.available)('examples/transactional-enqueue.ts', () => {
  it('rolled back leaves no outbox item; committed is delivered once', async () => {
    const r = await runExample('examples/transactional-enqueue.ts', { DATABASE_URL: postgres.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'rolled back: dossier rows 0, outbox item none',
      'committed: dossier rows 1, outbox item pending',
      'drained: 1 delivered, item delivered, receipt BN-000001',
      'land registry registrations: 000.00.29.H29-250701-0002',
    ]);
  });
});

describe('examples/ward-counter', () => {
  let mock: MockPlatforms;
  let auth: AuthOptions;
  const counters: WardCounter[] = [];
  let logs: Record<string, unknown>[] = [];
  let dossierNo = 0;

  beforeAll(async () => {
    mock = await startMockPlatforms();
    auth = { type: 'oauth2', tokenUrl: mock.urls.token, ...MOCK_CREDENTIALS };
  });
  afterEach(async () => {
    await Promise.all(counters.splice(0).map((c) => c.close()));
    mock.reset();
    logs = [];
  });
  afterAll(() => mock.close());

  async function start(options: Partial<WardCounterOptions> = {}): Promise<WardCounter> {
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line));
        done();
      },
    });
    const counter = await createWardCounter({
      baseUrl: mock.url,
      auth,
      port: 0,
      logger: pino({ level: 'info' }, sink),
      // Short backoff so outages resolve in milliseconds; the drainer is driven by the test.
      policy: { retry: { baseDelayMs: 5, maxDelayMs: 20 } },
      drainer: { autoStart: false },
      ...options,
    });
    counters.push(counter);
    return counter;
  }

  const citizen = (i: number) => {
    const c = fixtures.citizens[i]!;
    return { personalId: c.personalId, fullName: c.fullName, dateOfBirth: c.dateOfBirth };
  };
  const dossier = (over: Record<string, unknown> = {}) => ({
    dossierCode: `000.00.29.H29-250701-${String(++dossierNo).padStart(4, '0')}`,
    procedureCode: '1.004227',
    officer: 'officer-17',
    citizen: citizen(0),
    parcel: { wardCode: '27058', mapSheet: 12, parcelNumber: 345 },
    changeType: 'CHUYEN_NHUONG',
    ...over,
  });

  async function post(counter: WardCounter, body: unknown) {
    const res = await fetch(`${counter.url}/dossiers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: a JSON answer read field by field
    return { status: res.status, body: (await res.json()) as any };
  }

  it('accepts a dossier with every step live', async () => {
    const counter = await start();
    const d = dossier();
    const r = await post(counter, d);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      dossierCode: d.dossierCode,
      accepted: true,
      userMessage: 'Đã tiếp nhận hồ sơ.',
      steps: {
        citizen: { status: 'live', verified: true },
        parcel: { status: 'live', wardCode: '27058', wardName: 'Phường Cầu Kiệu', areaM2: 72.5 },
        registration: { status: 'live', receiptId: 'BN-000001' },
      },
    });
    expect(mock.registrations('land').map((x) => x.idempotencyKey)).toEqual([d.dossierCode]);
  });

  it('during a VNeID outage accepts the dossier with "verification pending", then logs the update', async () => {
    const counter = await start();
    mock.setFault('vneid', { down: true });

    // A citizen never seen before: no cached answer, so the check is queued.
    const first = dossier({
      citizen: citizen(1),
      parcel: { wardCode: '27058', mapSheet: 8, parcelNumber: 112 },
    });
    const r = await post(counter, first);
    expect(r.status).toBe(202);
    expect(r.body.accepted).toBe(true);
    expect(r.body.steps.citizen).toMatchObject({ status: 'queued', note: 'verification pending' });
    expect(r.body.steps.parcel.status).toBe('live');
    expect(r.body.steps.registration).toMatchObject({ status: 'live', receiptId: 'BN-000001' });
    const ticket = r.body.steps.citizen.ticket as string;
    expect(await counter.gateway.outbox.get(ticket)).toMatchObject({
      state: 'pending',
      kind: 'deferred-read',
    });

    // VNeID recovers: the drainer delivers the verification and the dossier is updated.
    mock.setFault('vneid', undefined);
    expect(await counter.gateway.outbox.drain()).toMatchObject({ delivered: 1, dead: 0 });
    expect(logs).toContainEqual(
      expect.objectContaining({
        msg: 'dossier updated',
        dossierCode: first.dossierCode,
        ticket,
        operation: 'verifyCitizen',
        verified: true,
      }),
    );
    // Never a personal ID or a name in the service's logs.
    const text = JSON.stringify(logs);
    expect(text).not.toContain(citizen(1).personalId);
    expect(text).not.toContain(citizen(1).fullName);
  });

  it('serves a citizen checked before as stale during a VNeID outage', async () => {
    const counter = await start();
    expect((await post(counter, dossier())).status).toBe(200);
    mock.setFault('vneid', { down: true });
    const r = await post(counter, dossier());
    expect(r.status).toBe(200);
    expect(r.body.steps.citizen).toMatchObject({ status: 'stale', verified: true });
    expect(r.body.steps.citizen.ageMs).toBeGreaterThanOrEqual(0);
  });

  it('queues the registration in a durable outbox during a land outage and delivers it after a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ward-counter-'));
    const outboxPath = path.join(dir, 'outbox.db');
    try {
      const before = await start({ outboxPath });
      mock.setFault('land', { down: true });
      const d = dossier({ parcel: { wardCode: '26737', mapSheet: 5, parcelNumber: 78 } });
      const r = await post(before, d);
      expect(r.status).toBe(202);
      expect(r.body.steps).toMatchObject({
        citizen: { status: 'live', verified: true },
        parcel: { status: 'queued', note: 'parcel check pending' },
        registration: { status: 'queued', note: 'submission pending' },
      });
      await before.close();
      expect(mock.registrations('land')).toEqual([]);

      // A new process on the same file, the registry back: delivered once, under the dossier code.
      mock.setFault('land', undefined);
      const after = await start({ outboxPath });
      expect(await after.gateway.outbox.drain()).toMatchObject({ delivered: 2, dead: 0 });
      expect(mock.registrations('land').map((x) => x.idempotencyKey)).toEqual([d.dossierCode]);
      expect(logs).toContainEqual(
        expect.objectContaining({
          msg: 'dossier updated',
          dossierCode: d.dossierCode,
          receiptId: 'BN-000001',
        }),
      );
    } finally {
      await Promise.all(counters.splice(0).map((c) => c.close()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers errors with a code and a Vietnamese message for the officer', async () => {
    const counter = await start();

    const invalid = await post(
      counter,
      dossier({ parcel: { wardCode: '27058', mapSheet: -1, parcelNumber: 345 } }),
    );
    expect(invalid.status).toBe(422);
    expect(invalid.body.error).toMatchObject({
      code: 'VALIDATION',
      step: 'parcel',
      userMessage:
        'Thông tin nhập vào gửi tới hệ thống đăng ký đất đai không hợp lệ: số tờ bản đồ phải là số nguyên dương. Vui lòng kiểm tra lại.',
      fields: ['mapSheet'],
    });

    const unknown = await post(counter, dossier({ citizen: fixtures.unknown.citizen }));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'NOT_FOUND', step: 'citizen' });
    expect(unknown.body.error.userMessage).toMatch(/Không tìm thấy/);

    const mismatch = await post(counter, dossier({ citizen: { ...citizen(0), fullName: 'Nguyễn Văn B' } }));
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error).toMatchObject({ code: 'CITIZEN_MISMATCH', nameMatches: false });

    const malformed = await post(counter, '{"dossierCode": 1');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.userMessage).toBe('Hồ sơ gửi lên không đúng định dạng.');

    expect(mock.registrations('land')).toEqual([]); // nothing was written for a refused dossier
  });

  it('serves health and metrics', async () => {
    const counter = await start();
    mock.setFault('vneid', { down: true });
    await post(counter, dossier({ citizen: citizen(2) }));

    const health = await fetch(`${counter.url}/health`);
    expect(health.status).toBe(200);
    const snapshot = (await health.json()) as HealthSnapshot;
    expect(Object.keys(snapshot.upstreams).sort()).toEqual(['land', 'vneid']);
    expect(snapshot.upstreams.vneid?.window.failures).toBeGreaterThan(0);
    expect(snapshot.outbox.pending).toBe(1);

    const metrics = await fetch(`${counter.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    expect(text).toContain(
      'vngw_requests_total{upstream="vneid",operation="verifyCitizen",outcome="queued"} 1',
    );
    expect(text).toContain(
      'vngw_requests_total{upstream="land",operation="submitRegistration",outcome="ok"} 1',
    );

    expect((await fetch(`${counter.url}/nowhere`)).status).toBe(404);
  });
});
