/**
 * Packaging as a user meets it: the packed tarball, installed into scratch ESM and CommonJS
 * projects, imported by its public names (every subpath), and called against a loopback server.
 * Needs `npm run build` first (the README's test command builds before it tests).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
// Inside the repo, so the scratch projects resolve our dependencies from its node_modules.
const scratchRoot = path.join(root, '.tmp');
let dir: string;

beforeAll(() => {
  if (!existsSync(path.join(root, 'dist/index.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  mkdirSync(scratchRoot, { recursive: true });
  dir = mkdtempSync(path.join(scratchRoot, 'pack-'));
  execFileSync('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: root, stdio: 'pipe' });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  for (const kind of ['esm', 'cjs']) {
    const target = path.join(dir, kind, 'node_modules', 'vn-national-gateway');
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(dir, tarball), '-C', target, '--strip-components=1']);
    writeFileSync(
      path.join(dir, kind, 'package.json'),
      JSON.stringify({ type: kind === 'esm' ? 'module' : 'commonjs' }),
    );
  }
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const program = (load: string) => `
${load}
const platforms = await testing.startMockPlatforms({ port: 0 });
const auth = { type: 'oauth2', tokenUrl: platforms.url + '/token', clientId: testing.MOCK_CREDENTIALS.clientId, clientSecret: testing.MOCK_CREDENTIALS.clientSecret };
const gateway = core.createGateway({
  upstreams: { tax: adapters.taxRegistry({ baseUrl: platforms.url, auth, client: 'VN/GOV/test/pkg' }) },
  logger: require_pino()({ level: 'silent' }),
  drainer: { autoStart: false },
});
const code = testing.fixtures.enterprises[0].taxCode;
const r = await gateway.tax.lookupTaxCode({ taxCode: code }, { purpose: '1.0', actor: 'a' });
let validation = '';
try { await gateway.tax.lookupTaxCode({ taxCode: '123' }); } catch (e) { validation = core.isGatewayError(e, 'VALIDATION') ? 'VALIDATION' : String(e); }
const id = identifiers.parseTaxCode(code).ok;
await gateway.close();
await platforms.close();
console.log(JSON.stringify({ status: r.status, validation, id, defaults: core.DEFAULT_POLICY.deadlineMs }));
`;

function run(kind: 'esm' | 'cjs', source: string): unknown {
  const file = path.join(dir, kind, kind === 'esm' ? 'main.mjs' : 'main.cjs');
  writeFileSync(file, source);
  const out = execFileSync(process.execPath, [file], {
    cwd: path.join(dir, kind),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const expected = { status: 'ok', validation: 'VALIDATION', id: true, defaults: 30_000 };

describe('the packed package', () => {
  it('works from an ES module project', () => {
    const load = `
import * as core from 'vn-national-gateway';
import * as adapters from 'vn-national-gateway/adapters';
import * as testing from 'vn-national-gateway/testing';
import * as identifiers from 'vn-national-gateway/identifiers';
import { createRequire } from 'node:module';
const require_pino = () => createRequire(import.meta.url)('pino');`;
    expect(run('esm', load + program(''))).toEqual(expected);
  });

  it('works from a CommonJS project', () => {
    const load = `
const core = require('vn-national-gateway');
const adapters = require('vn-national-gateway/adapters');
const testing = require('vn-national-gateway/testing');
const identifiers = require('vn-national-gateway/identifiers');
const require_pino = () => require('pino');
(async () => {`;
    expect(
      run('cjs', `${load}${program('')}})().catch((e) => { console.error(e); process.exit(1); });`),
    ).toEqual(expected);
  });

  it('installs a working vn-gateway bin (reached through a node_modules/.bin symlink)', () => {
    const bin = path.join(dir, 'esm', 'node_modules', '.bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync('../vn-national-gateway/dist/cli.js', path.join(bin, 'vn-gateway'));
    const out = execFileSync(path.join(bin, 'vn-gateway'), ['--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: vn-gateway');
    expect(out).toContain('mock');
  });

  it('ships only dist, the README, the changelog and the licence', () => {
    const files = execFileSync(
      'tar',
      ['-tzf', path.join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!)],
      {
        encoding: 'utf8',
      },
    )
      .trim()
      .split('\n');
    expect(
      files.every((f) => /^package\/(dist\/|README\.md$|CHANGELOG\.md$|package\.json$|LICENSE$)/.test(f)),
    ).toBe(true);
    expect(files).toContain('package/dist/cli.js');
  });
});
