/**
 * The README's code runs as written: its quick start and its profile example are run as scripts,
 * its "Test your system against the mocks" block as a vitest file, all through the public names.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
// Inside the repository, so tsx and vitest resolve the package's public names from tsconfig paths.
const scratch = path.join(root, 'test', 'readme-generated');

/** The first ```ts block after the given heading. */
function block(heading: string): string {
  const section = readme.slice(readme.indexOf(`## ${heading}`));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error(`no ts block under "${heading}"`);
  return match[1]!;
}

function runScript(name: string, source: string) {
  mkdirSync(scratch, { recursive: true });
  const file = path.join(scratch, name);
  writeFileSync(file, source);
  return spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('README', () => {
  it('quick start runs as written', () => {
    const r = runScript('quickstart.ts', block('Quick start'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ok true 1'); // after the default logger's one JSON line per call
  });

  it('the profile example runs as written', () => {
    const r = runScript('profile.ts', block('The assumed contract and writing a profile'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the vitest example against the mocks passes', () => {
    mkdirSync(scratch, { recursive: true });
    const file = path.join(scratch, 'mocks.test.ts');
    writeFileSync(file, block('Test your system against the mocks'));
    const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', file], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stdout + r.stderr).toMatch(/1 passed/);
    expect(r.status).toBe(0);
  });
});
