/**
 * The published types, compiled as a new city developer's project would: a consumer outside the
 * repository with only the packed tarball, TypeScript (5.9 and the latest, 7.x) and @types/node,
 * and none of the optional peers (pg, ioredis, undici, @opentelemetry/api, better-sqlite3, nock,
 * fastify and their @types). `strict`, `exactOptionalPropertyTypes`, `skipLibCheck: false`,
 * NodeNext, as an ES module and as CommonJS, importing every entry point of `exports`.
 * Also: no declaration file imports an optional peer, and the examples compile under the same
 * strict options. Needs `npm run build` first and the npm registry (local cache first).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, unknown>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};
/** The compilers the consumer is checked with, as installed (an npm alias lets two versions coexist). */
const COMPILERS = [
  { version: '5.9.3', dir: 'typescript' },
  { version: '7.0.2', dir: 'typescript-7' },
] as const;
/**
 * An entry whose purpose is an optional peer may name its types (a plugin for that framework):
 * it is compiled with that peer installed, after the bare consumer. Others may name none.
 */
const ENTRY_PEERS: Record<string, string[]> = { './fastify': ['fastify@5'] };
const optionalPeers = Object.entries(pkg.peerDependenciesMeta)
  .filter(([, meta]) => meta.optional)
  .map(([name]) => name);
const subpaths = Object.keys(pkg.exports).filter((s) => s !== './package.json');
const bareEntries = subpaths.filter((s) => !ENTRY_PEERS[s]);
const peerEntries = subpaths.filter((s) => ENTRY_PEERS[s]);
const specifier = (subpath: string) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`);

// Outside the repo, so nothing resolves from its node_modules; npm_* variables from a parent
// `npm test` must not steer the consumer's npm either.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
let dir: string;

function npmInstall(args: string[]): void {
  // --ignore-scripts: nothing here needs to build; the compilers ship prebuilt.
  execFileSync(
    'npm',
    ['install', ...args, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
    {
      cwd: dir,
      stdio: 'pipe',
      env,
      timeout: 240_000,
    },
  );
}

/** A consumer source importing `entries` (namespace imports, so every declaration is loaded). */
function consumerSource(entries: string[], withFixture: boolean): string {
  const imports = entries.map((s, i) => `import * as entry${i} from '${specifier(s)}';`);
  const fixture = withFixture
    ? readFileSync(path.join(import.meta.dirname, 'consumer/strict.ts'), 'utf8')
    : '';
  return `${fixture}\n${imports.join('\n')}\nexport const entries = [${entries.map((_, i) => `entry${i}`).join(', ')}];\n`;
}

/** Runs one compiler on the consumer's tsconfig; its diagnostics, or '' when it compiles. */
function compile(compiler: (typeof COMPILERS)[number], project = 'tsconfig.json'): string {
  try {
    execFileSync(process.execPath, [path.join(dir, 'node_modules', compiler.dir, 'bin/tsc'), '-p', project], {
      cwd: dir,
      encoding: 'utf8',
      stdio: 'pipe',
      timeout: 180_000,
    });
    return '';
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}` || String(e);
  }
}

function tsconfig(files: string[]): string {
  return JSON.stringify({
    compilerOptions: {
      strict: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: false,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      lib: ['ES2023'],
      types: ['node'],
      noEmit: true,
    },
    files,
  });
}

beforeAll(() => {
  if (!existsSync(path.join(root, 'dist/index.d.ts')))
    throw new Error('dist/ is missing: run `npm run build` first');
  dir = mkdtempSync(path.join(tmpdir(), 'vngw-types-'));
  execFileSync('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: root, stdio: 'pipe', env });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  npmInstall([
    `./${tarball}`,
    ...COMPILERS.map((c) =>
      c.dir === 'typescript' ? `typescript@${c.version}` : `${c.dir}@npm:typescript@${c.version}`,
    ),
    '@types/node@20',
  ]);
  // The same program as an ES module and as CommonJS (`import` compiles to `require` there, so
  // the `require` condition's .d.cts files are the ones read).
  writeFileSync(path.join(dir, 'strict.mts'), consumerSource(bareEntries, true));
  writeFileSync(path.join(dir, 'strict.cts'), consumerSource(bareEntries, true));
  writeFileSync(path.join(dir, 'tsconfig.json'), tsconfig(['strict.mts', 'strict.cts']));
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a bare consumer of the packed tarball (no optional peer installed)', () => {
  it('has none of the optional peers, nor their types', () => {
    const has = (name: string) => existsSync(path.join(dir, 'node_modules', name));
    expect(optionalPeers.length).toBeGreaterThan(3);
    const present = [
      ...optionalPeers,
      ...optionalPeers.map((p) => `@types/${p.replace(/^@(.*)\//, '$1__')}`),
    ];
    // @opentelemetry/api is an optional peer of ours but a plain dependency of prom-client 15.
    const prom = JSON.parse(readFileSync(path.join(dir, 'node_modules/prom-client/package.json'), 'utf8'));
    const viaProm = (name: string) => name === '@opentelemetry/api' && name in (prom.dependencies ?? {});
    expect(present.filter((name) => has(name) && !viaProm(name))).toEqual([]);
    expect(has('vn-national-gateway')).toBe(true);
  });

  it.each(COMPILERS)(
    'compiles every entry point under TypeScript $version (ESM and CJS)',
    (compiler) => {
      const version = execFileSync(
        process.execPath,
        [path.join(dir, 'node_modules', compiler.dir, 'bin/tsc'), '-v'],
        {
          encoding: 'utf8',
        },
      );
      expect(version.trim()).toBe(`Version ${compiler.version}`);
      expect(compile(compiler)).toBe('');
    },
    200_000,
  );

  it('catches a type error in the consumer (the check itself)', () => {
    writeFileSync(
      path.join(dir, 'broken.mts'),
      `import { createGateway } from '${pkg.name}';\ncreateGateway({ upstreams: {}, tracing: 'yes' });\n`,
    );
    writeFileSync(path.join(dir, 'tsconfig.broken.json'), tsconfig(['broken.mts']));
    expect(compile(COMPILERS[0], 'tsconfig.broken.json')).toMatch(/broken\.mts.*error TS2322/);
  }, 200_000);
});

describe.runIf(peerEntries.length > 0)('entries made for an optional peer, with that peer installed', () => {
  beforeAll(() => {
    npmInstall(peerEntries.flatMap((s) => ENTRY_PEERS[s]!));
    // One program each: such an entry augments its peer's module types (Fastify's decorators), and
    // an ES module and a CommonJS project each see one copy; one program holding both would see two.
    for (const ext of ['mts', 'cts']) {
      writeFileSync(path.join(dir, `peers.${ext}`), consumerSource(peerEntries, false));
      writeFileSync(path.join(dir, `tsconfig.peers-${ext}.json`), tsconfig([`peers.${ext}`]));
    }
  }, 300_000);

  it.each(COMPILERS)(
    'compile under TypeScript $version (ESM and CJS)',
    (compiler) => {
      expect(compile(compiler, 'tsconfig.peers-mts.json')).toBe('');
      expect(compile(compiler, 'tsconfig.peers-cts.json')).toBe('');
    },
    200_000,
  );
});

describe('the declaration files', () => {
  it('import no optional peer (but an entry made for one)', () => {
    const dist = path.join(root, 'dist');
    const peerFiles = new Set(peerEntries.map((s) => s.slice(2)));
    const found: string[] = [];
    for (const file of readdirSync(dist).filter((f) => /\.d\.c?ts$/.test(f))) {
      if (peerFiles.has(file.replace(/\.d\.c?ts$/, ''))) continue;
      const text = readFileSync(path.join(dist, file), 'utf8');
      for (const [, spec] of text.matchAll(/(?:from|import\(|require\()\s*['"]([^'"]+)['"]/g)) {
        const name = spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!;
        if (optionalPeers.includes(name)) found.push(`${file}: ${spec}`);
      }
    }
    expect(found).toEqual([]);
  });
});

describe('the examples', () => {
  it('compile under the strict consumer options against the built declarations', () => {
    // test/types/tsconfig.examples.json: exactOptionalPropertyTypes, and `paths` emptied so that
    // `vn-national-gateway` resolves through package.json `exports` to dist/, as a user's would.
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    let listed = '';
    let errors = '';
    try {
      listed = execFileSync(
        process.execPath,
        [tsc, '-p', 'test/types/tsconfig.examples.json', '--listFiles'],
        {
          cwd: root,
          encoding: 'utf8',
          stdio: 'pipe',
        },
      );
    } catch (e) {
      errors = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(errors).toBe('');
    expect(listed).toContain(path.join(root, 'dist/index.d.ts'));
    expect(listed).toContain(path.join(root, 'examples/ward-counter/server.ts'));
    expect(listed).not.toContain(path.join(root, 'src/index.ts'));
  }, 120_000);
});
