/**
 * The lean install, measured: a consumer project outside the repository installs the packed tarball
 * from the npm registry (the local cache first), and gets neither the CLI's bundled libraries
 * (commander, log-update, cli-table3: devDependencies) nor any optional peer (better-sqlite3, pg,
 * ioredis, rate-limiter-flexible, undici, nock). `npx vn-gateway --version` must still work there.
 * Needs `npm run build` first and the npm registry (as `npm ci` does); ~35 s with a warm cache.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
// Outside the repo, so nothing resolves from its node_modules; npm_* variables from a parent
// `npm test` (prefix, workspace, ...) must not steer the consumer's npm either.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
let dir: string;
let installed: string[];

/** Package names in `npm ls --parseable` output, the root project excluded. */
function names(parseable: string): string[] {
  return parseable
    .trim()
    .split('\n')
    .filter((line) => line.includes(`${path.sep}node_modules${path.sep}`))
    .map((line) => line.slice(line.lastIndexOf(`node_modules${path.sep}`) + 'node_modules/'.length));
}

beforeAll(() => {
  if (!existsSync(path.join(root, 'dist/cli.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  dir = mkdtempSync(path.join(tmpdir(), 'vngw-consumer-'));
  execFileSync('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: root, stdio: 'pipe', env });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  // --ignore-scripts: a native optional peer pulled in by mistake must show up here, not compile for minutes.
  execFileSync(
    'npm',
    ['install', `./${tarball}`, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
    { cwd: dir, stdio: 'pipe', env, timeout: 150_000 },
  );
  installed = names(
    execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: dir, encoding: 'utf8', env }),
  );
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a consumer install of the packed tarball', () => {
  it('pulls neither the bundled CLI libraries nor any optional peer', () => {
    expect(installed).toContain('vn-national-gateway');
    const unwanted = ['commander', 'log-update', 'cli-table3', 'better-sqlite3', 'pg', 'ioredis'];
    unwanted.push('rate-limiter-flexible', 'undici', 'nock', 'tsx', 'vitest');
    expect(installed.filter((name) => unwanted.includes(name))).toEqual([]);
  });

  it('stays small: at most 60 packages (50 on 2 December 2026, p-retry gone; prom-client brings @opentelemetry/api and tdigest)', () => {
    // A budget, not the exact count: patch releases of axios or pino may add or drop one helper.
    expect(installed.length).toBeLessThanOrEqual(60);
    // @opentelemetry/api is an optional peer of ours, but a plain dependency of prom-client 15.
    if (installed.includes('@opentelemetry/api')) {
      const prom = JSON.parse(readFileSync(path.join(dir, 'node_modules/prom-client/package.json'), 'utf8'));
      expect(prom.dependencies).toHaveProperty('@opentelemetry/api');
    }
  });

  it('runs `npx vn-gateway --version` from the consumer', () => {
    const out = execFileSync('npx', ['--no-install', 'vn-gateway', '--version'], {
      cwd: dir,
      encoding: 'utf8',
      env,
      timeout: 30_000,
    });
    expect(out.trim()).toBe(pkg.version);
  });

  it('outbox commands without the optional driver: exit 1 naming the package to install', () => {
    // A file with a SQLite header passes the CLI's own check and then needs the driver.
    const db = path.join(dir, 'outbox.db');
    writeFileSync(db, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(4080)]));
    const runs = [
      [['outbox', 'list', '--db', db], 'npm install better-sqlite3@12'],
      [['outbox', 'list', '--database-url', 'postgres://127.0.0.1:1/x'], 'npm install pg@8'],
    ] as const;
    for (const [args, message] of runs) {
      let status = 0;
      let stderr = '';
      try {
        execFileSync('npx', ['--no-install', 'vn-gateway', ...args], {
          cwd: dir,
          env,
          timeout: 30_000,
          stdio: 'pipe',
        });
      } catch (e) {
        ({ status, stderr } = e as { status: number; stderr: string });
      }
      expect(status).toBe(1);
      expect(String(stderr)).toContain(message);
    }
  });
});
