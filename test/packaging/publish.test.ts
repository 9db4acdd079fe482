/**
 * `npm publish --dry-run` as the release would run it (scripts skipped: `prepublishOnly` is this
 * test command): it must succeed and ship exactly the files listed here. A file that should ship
 * is added to SHIPPED (and to package.json `files`); anything else in the tarball fails the test.
 * Needs `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  exports: Record<string, { import?: { types: string; default: string } }>;
  bin: Record<string, string>;
};

/** What the tarball holds besides dist/: a path, or a pattern for a folder's files. */
const SHIPPED: (string | RegExp)[] = [
  'package.json',
  'README.md',
  'CHANGELOG.md',
  'LICENSE',
  /^dist\/.+\.(c?js|d\.c?ts|c?js\.map)$/,
];
/** What must be in dist/: every entry's files and the bin. */
const REQUIRED = [
  ...Object.values(pkg.exports).flatMap((e) => (e.import ? [e.import.types, e.import.default] : [])),
  ...Object.values(pkg.bin),
].map((f) => f.replace(/^\.\//, ''));

const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
let files: string[];
let stderr: string;

beforeAll(() => {
  if (!existsSync(path.join(root, 'dist/index.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  const run = spawnSync('npm', ['publish', '--dry-run', '--ignore-scripts', '--json'], {
    cwd: root,
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  expect(run.status, run.stderr).toBe(0);
  const out = run.stdout;
  const report = JSON.parse(out) as Record<string, { id: string; files: { path: string }[] }>;
  const entry = report[pkg.name] ?? (report as unknown as { id: string; files: { path: string }[] });
  expect(entry.id).toBe(`${pkg.name}@${pkg.version}`);
  files = entry.files.map((f) => f.path).sort();
  stderr = run.stderr;
}, 150_000);

describe('npm publish --dry-run', () => {
  it('ships only the listed files', () => {
    const unexpected = files.filter(
      (f) => !SHIPPED.some((s) => (typeof s === 'string' ? s === f : s.test(f))),
    );
    expect(unexpected).toEqual([]);
    for (const s of SHIPPED) if (typeof s === 'string') expect(files).toContain(s);
  });

  it("ships every entry's types and code, and the bin", () => {
    expect(REQUIRED.length).toBeGreaterThan(10);
    expect(REQUIRED.filter((f) => !files.includes(f))).toEqual([]);
  });

  it('ships no source, tests or local state', () => {
    expect(
      files.filter((f) => /^(src|test|bench|scripts|\.tmp|node_modules)\/|\.tgz$|\.db$/.test(f)),
    ).toEqual([]);
  });

  it('needs no correction of package.json by npm (a corrected bin path, a dropped field)', () => {
    expect(stderr).not.toMatch(/auto-corrected|errors corrected|was invalid/);
  });
});
