import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { NewOutboxItem } from '../../src/fallback/outbox/index.js';

/** The repository root (workers are started from it so `--import tsx` resolves). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A fresh temp dir and its clean-up. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vngw-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The next IPC message of `type` from a worker; rejects if the worker exits first. */
export function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type?: string }) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      resolve(m as T);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before '${type}'`)));
  });
}

let n = 0;

/** A queued write as the gateway would hand it over (fake personal data). */
export function newItem(over: Partial<NewOutboxItem> = {}): NewOutboxItem {
  n += 1;
  return {
    upstream: 'vneid',
    operation: 'registerResidence',
    kind: 'write',
    input: {
      personalId: '001099012345',
      fullName: 'Nguyễn Văn A',
      address: { ward: 'Phường Bến Nghé', no: n },
    },
    idempotencyKey: `idem-${n}`,
    requestId: `VN/GOV/000.00.00.H29/gateway/req-${n}`,
    context: { purpose: 'residence-registration', actor: 'officer-7', dossierCode: `H29.22-${n}` },
    lastError: { code: 'UPSTREAM_UNAVAILABLE', message: 'vneid answered 503' },
    ...over,
  };
}

/** A transient error as a drainer would record it. */
export const TIMEOUT = { code: 'TIMEOUT', message: 'no answer within 10000 ms' };

/** The test server: `DATABASE_URL`, else the CI default (trust auth on 127.0.0.1). */
export const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A random schema on the test server for one test file, and a pool to it; `drop()` removes the
 * schema and ends the pool. Parallel test files each get their own and never collide.
 */
export function pgSchema(): { schema: string; pool: pg.Pool; drop: () => Promise<void> } {
  const schema = `vngw_test_${randomBytes(6).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 5 });
  return {
    schema,
    pool,
    drop: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}
