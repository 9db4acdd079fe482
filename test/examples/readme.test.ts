/**
 * The docs' code runs as written: the README's quick start and the contract page's profile example
 * are run as scripts, the testing page's first block as a vitest file, all through the public names.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
// Inside the repository, so tsx and vitest resolve the package's public names from tsconfig paths.
const scratch = path.join(root, 'test', 'readme-generated');

/** The first ```ts block after the given heading of a Markdown file. */
function block(file: string, heading: string): string {
  const text = read(file);
  const at = text.indexOf(heading);
  if (at < 0) throw new Error(`no heading "${heading}" in ${file}`);
  const match = /```ts\n([\s\S]*?)```/.exec(text.slice(at));
  if (!match) throw new Error(`no ts block under "${heading}" in ${file}`);
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

describe("the docs' examples", () => {
  it("the README's quick start runs as written", () => {
    const r = runScript('quickstart.ts', block('README.md', '## Quick start'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ok true 1'); // after the default logger's one JSON line per call
  });

  it('the profile example runs as written', () => {
    const r = runScript('profile.ts', block('docs/contract.md', '## Writing a profile'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the vitest example against the mocks passes', () => {
    mkdirSync(scratch, { recursive: true });
    const file = path.join(scratch, 'mocks.test.ts');
    writeFileSync(file, block('docs/testing.md', '# Testing your system against the mocks'));
    const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', file], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stdout + r.stderr).toMatch(/1 passed/);
    expect(r.status).toBe(0);
  });
});
