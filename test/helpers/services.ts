/**
 * Real-server test suites (PostgreSQL, Redis): skip on a laptop, FAIL in CI.
 *
 * API (one call at the top of a suite file, before `describe`):
 *
 * ```ts
 * import { requirePostgres, requireRedis } from '../helpers/services.js';
 * const pg = await requirePostgres();      // { available, url, reason? }
 * describe.skipIf(!pg.available)('postgres outbox', () => { ... use pg.url ... });
 * ```
 *
 * - Probes the server with a TCP connect (no driver needed): PostgreSQL at `PGURL`/`DATABASE_URL`
 *   or `postgres://postgres@127.0.0.1:5432/test`, Redis at `REDIS_URL` or `redis://127.0.0.1:6379`.
 * - Unreachable and `CI` unset (or `false`/`0`): prints one line
 *   `[tests] SKIPPED <suite>: PostgreSQL not reachable at 127.0.0.1:5432 (...); set CI=true to fail instead`
 *   and returns `available: false` so the suite is marked skipped.
 * - Unreachable and `CI` set: throws, so the suite file FAILS (CI must never skip these).
 */
import { Socket } from 'node:net';

export interface ServiceProbe {
  /** True when the server accepted a TCP connection. */
  available: boolean;
  /** Connection URL the suite should use. */
  url: string;
  /** Why the suite is skipped (only when `available` is false). */
  reason?: string;
}

export interface RequireOptions {
  /** Suite name printed in the skip line. @default the service name */
  suite?: string;
  /** Override the URL (tests of this helper). @default from the environment */
  url?: string;
  /** Override the environment read for `CI` (tests of this helper). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** TCP connect timeout. @default 1000 */
  timeoutMs?: number;
}

/** True when the environment says we run in CI (`CI` set to anything but '', 'false', '0'). */
export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI;
  return v !== undefined && v !== '' && v !== 'false' && v !== '0';
}

function probe(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (err?: string) => {
      s.destroy();
      resolve(err);
    };
    s.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    s.connect(port, host, () => done());
  });
}

async function requireService(
  name: string,
  url: string,
  defaultPort: number,
  o: RequireOptions,
): Promise<ServiceProbe> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(u.port || defaultPort);
  const err = await probe(host, port, o.timeoutMs ?? 1000);
  if (err === undefined) return { available: true, url };
  const reason = `${name} not reachable at ${host}:${port} (${err})`;
  if (inCI(o.env ?? process.env)) {
    throw new Error(
      `[tests] ${o.suite ?? name} cannot run: ${reason}; CI is set, so this fails instead of skipping`,
    );
  }
  console.warn(`[tests] SKIPPED ${o.suite ?? name}: ${reason}; set CI=true to fail instead`);
  return { available: false, url, reason };
}

/** Probe PostgreSQL; see the file header for skip vs fail. */
export function requirePostgres(o: RequireOptions = {}): Promise<ServiceProbe> {
  const env = o.env ?? process.env;
  const url = o.url ?? env.PGURL ?? env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  return requireService('PostgreSQL', url, 5432, o);
}

/** Probe Redis; see the file header for skip vs fail. */
export function requireRedis(o: RequireOptions = {}): Promise<ServiceProbe> {
  const env = o.env ?? process.env;
  const url = o.url ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  return requireService('Redis', url, 6379, o);
}
