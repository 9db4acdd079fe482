/**
 * What `import('vn-national-gateway')` loads (the cold-import budget, timed by
 * `bench/cold-import.mjs`): axios, prom-client, pino and lru-cache, the heaviest dependencies,
 * load when a gateway is created, not at import. Checked on the build (needs `npm run build`):
 * the ES module entry's static import graph, and a fresh CommonJS process's module cache.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const dist = path.join(root, 'dist');
const LAZY = ['axios', 'prom-client', 'pino', 'lru-cache'];

/** Bare specifiers statically imported by an ES module file and the chunks it imports. */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  const bare = new Set<string>();
  if (seen.has(file)) return bare;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const [, spec] of text.matchAll(
    /^\s*(?:import|export)\b[^'"]*?from\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm,
  )) {
    if (!spec) continue;
    if (spec.startsWith('.'))
      for (const s of staticImports(path.resolve(path.dirname(file), spec), seen)) bare.add(s);
    else bare.add(spec);
  }
  return bare;
}

/** Packages of the lazy list in a fresh CommonJS process's require cache after running `code`. */
function loadedAfter(code: string): string[] {
  const out = execFileSync(
    process.execPath,
    [
      '-e',
      `(async () => { ${code}; const seen = Object.keys(require.cache).map((f) => f.match(/node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/)?.[1]).filter(Boolean); console.log(JSON.stringify([...new Set(seen)])); })()`,
    ],
    { cwd: root, encoding: 'utf8' },
  );
  return (JSON.parse(out.trim().split('\n').pop()!) as string[]).filter((n) => LAZY.includes(n)).sort();
}

describe('the main entry at import', () => {
  it('imports none of the lazily loaded dependencies (ES module graph)', () => {
    if (!existsSync(path.join(dist, 'index.js')))
      throw new Error('dist/ is missing: run `npm run build` first');
    const bare = staticImports(path.join(dist, 'index.js'));
    expect(bare).toContain('zod'); // the walk reaches the chunks
    expect([...bare].filter((s) => LAZY.includes(s))).toEqual([]);
  });

  it('loads none of them in a CommonJS process, and all of them once a gateway exists', () => {
    expect(loadedAfter("require('vn-national-gateway')")).toEqual([]);
    const created = `const { createGateway } = require('vn-national-gateway');
      const { taxRegistry } = require('vn-national-gateway/adapters');
      const tax = taxRegistry({ baseUrl: 'http://127.0.0.1:9', auth: { type: 'bearer', token: 't' }, client: 'VN/GOV/t' });
      // No logger given: the default one is pino.
      await createGateway({ upstreams: { tax }, drainer: { autoStart: false } }).close()`;
    expect(loadedAfter(created)).toEqual([...LAZY].sort());
  }, 60_000);
});
