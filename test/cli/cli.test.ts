import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteOutbox } from 'vn-national-gateway';
import { cleanEnv } from './helpers.js';

const MAIN = path.resolve(import.meta.dirname, '../../src/cli/bin.ts');
// Without DATABASE_URL: a developer's or CI's setting must not pick the outbox of these tests.
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: cleanEnv(),
  });

const pkgVersion = (
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as {
    version: string;
  }
).version;

let tmp: string;
let db: string;
let deadTicket: string;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vngw-cli-'));
  db = path.join(tmp, 'outbox.db');
  const store = sqliteOutbox({ path: db });
  const item = {
    upstream: 'land',
    operation: 'submitRegistration',
    kind: 'write' as const,
    input: { dossierCode: 'HS-1', applicant: { personalId: '079203001234', fullName: 'Nguyễn Văn A' } },
    idempotencyKey: 'HS-1',
    requestId: '9b0a3c1e-1111-4b5b-9c9c-000000000001',
    context: { purpose: '1.004227', actor: 'officer-17', dossierCode: 'HS-1' },
    lastError: { code: 'UPSTREAM_UNAVAILABLE', message: 'The upstream answered HTTP 503' },
  };
  const now = Date.now();
  const pending = await store.enqueue(item, now);
  const dead = await store.enqueue(
    { ...item, idempotencyKey: 'HS-2', context: { ...item.context, dossierCode: 'HS-2' } },
    now,
  );
  await store.claim({ owner: 'test', now, leaseMs: 1000, limit: 2 });
  await store.release(pending.id, 'test', { code: 'UPSTREAM_UNAVAILABLE', message: 'x' }, now, now);
  await store.fail(dead.id, 'test', { code: 'REJECTED', message: 'The upstream answered REJECTED' }, now);
  deadTicket = dead.id;
  await store.close();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Each test spawns the built CLI a few times (~0.5 s each on a quiet machine, 5 s on a loaded one).
describe('vn-gateway CLI', { timeout: 90_000 }, () => {
  it('documents every command and option in --help', () => {
    const r = cli('mock', '--help');
    expect(r.status).toBe(0);
    for (const flag of ['--port', '--host', '--scenario', '--seed', '--no-admin'])
      expect(r.stdout).toContain(flag);
    const outboxHelp = cli('outbox', 'list', '--help').stdout;
    for (const flag of ['--db', '--database-url', '--schema', '--table']) expect(outboxHelp).toContain(flag);
    // One exit-code rule, printed by every help.
    for (const help of [outboxHelp, cli('--help').stdout, cli('outbox', 'purge', '--help').stdout]) {
      expect(help).toMatch(/Exit codes:\n\s+0 {2}done\n\s+1 {2}failed: .*\n.*\n\s+2 {2}usage error/);
    }
    expect(cli('demo', '--help').stdout).toContain('--dossiers');
  });

  it('a bad option or value gives a clear message and exit code 2', () => {
    const unknown = cli('mock', '--bogus');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
    const badPort = cli('mock', '--port', 'eighty');
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toContain('--port must be a whole number');
    const badScenario = cli('mock', '--scenario', 'storm');
    expect(badScenario.status).toBe(2);
    expect(badScenario.stderr).toMatch(/Allowed choices are healthy, flaky, outage, slow, flapping, drift/);
    const noOutbox = cli('outbox', 'list'); // neither --db nor --database-url nor DATABASE_URL
    expect(noOutbox.status).toBe(2);
    expect(noOutbox.stderr).toContain("see 'vn-gateway outbox list --help'");
  });

  it('mock runs the platforms in the foreground and prints their URLs', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, 'mock', '--port', '0', '--scenario', 'flaky'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Press Ctrl+C')) resolve();
      });
      child.once('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    const url = /baseUrl \(all adapters\)\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    const token = await fetch(`${url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=hcmc-tthc&client_secret=mock-secret',
    });
    expect(token.status).toBe(200);
    expect(out).toContain('scenario: flaky');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('outbox list shows routing and state without personal data', () => {
    const r = cli('outbox', 'list', '--db', db, '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.counts).toMatchObject({ pending: 1, dead: 1 });
    expect(out.items).toHaveLength(2);
    expect(out.items[0]).toMatchObject({
      upstream: 'land',
      operation: 'submitRegistration',
      dossierCode: expect.any(String),
    });
    expect(r.stdout).not.toContain('079203001234');
    expect(r.stdout).not.toContain('Nguyễn');
  });

  it('outbox show prints the input only with --show-input; retry requeues a dead letter', () => {
    const shown = cli('outbox', 'show', deadTicket, '--db', db);
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      ticket: deadTicket,
      state: 'dead',
      lastError: 'REJECTED',
    });
    expect(shown.stdout).not.toContain('079203001234');
    expect(cli('outbox', 'show', deadTicket, '--db', db, '--show-input').stdout).toContain('079203001234');

    const retried = cli('outbox', 'retry', deadTicket, '--db', db);
    expect(retried.status).toBe(0);
    expect(retried.stdout).toContain(`Requeued ${deadTicket}`);
    const again = cli('outbox', 'retry', deadTicket, '--db', db);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('No dead-lettered item');
  });

  it('a missing or corrupt outbox file is a clear error', () => {
    const r = cli('outbox', 'list', '--db', path.join(tmp, 'nope', 'x.db'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/vn-gateway: .*x\.db/);
  });

  it('every outbox subcommand refuses a missing file instead of creating an empty outbox', () => {
    const missing = path.join(tmp, 'typo.db');
    for (const args of [['list'], ['show', 'T-1'], ['retry', 'T-1']]) {
      const r = cli('outbox', ...args, '--db', missing);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`No outbox file at ${missing}`);
    }
    expect(existsSync(missing)).toBe(false);
  });

  it('outbox list prints a cli-table3 table', () => {
    const r = cli('outbox', 'list', '--db', db);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/┌─+┬/);
    expect(r.stdout).toContain(deadTicket);
    expect(r.stdout).not.toContain('079203001234');
  });

  it('--version prints the package version', () => {
    const r = cli('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkgVersion);
  });
});
