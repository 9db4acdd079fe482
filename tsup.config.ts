import { defineConfig, type Options } from 'tsup';

const entry = {
  index: 'src/index.ts',
  adapters: 'adapters/index.ts',
  testing: 'src/testing/index.ts',
  identifiers: 'src/identifiers/index.ts',
  cli: 'src/cli/bin.ts',
  // undici is an optional peer dependency: only this entry imports it.
  undici: 'src/undici.ts',
  // fastify is an optional peer dependency too: only this entry's types refer to it.
  fastify: 'src/fastify.ts',
};

// Adapters import the core by its public name, so at run time they share one copy of it.
const shared: Options = {
  entry,
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  external: ['vn-national-gateway', 'better-sqlite3', 'nock'],
  tsconfig: 'tsconfig.build.json',
};

// `npm run demo` builds the JavaScript only: declaration files take most of the build time and the
// demo does not read them.
const dts = process.env.VNGW_BUILD !== 'js';

export default defineConfig([
  // commander, log-update and cli-table3 are bundled: only the CLI imports them (no library entry
  // does), so they are devDependencies and a consumer of the library does not install them.
  {
    ...shared,
    format: ['esm'],
    dts,
    clean: true,
    splitting: true,
    noExternal: ['commander', 'log-update', 'cli-table3'],
    // commander and cli-table3 are CommonJS and require() Node built-ins; an ES module has no
    // require, so esbuild's shim needs one.
    banner: {
      js: "import { createRequire as __vngwCreateRequire } from 'node:module';\nconst require = __vngwCreateRequire(import.meta.url);",
    },
  },
  // The CLI is an ES module bin only.
  {
    ...shared,
    entry: {
      index: entry.index,
      adapters: entry.adapters,
      testing: entry.testing,
      identifiers: entry.identifiers,
      undici: entry.undici,
      fastify: entry.fastify,
    },
    format: ['cjs'],
    dts, // .d.cts, so require() consumers get CommonJS-flavoured types
    // src/util/node-require.ts reads import.meta.url only where it exists and falls back to the
    // CommonJS wrapper's require: the empty import.meta of this build is expected.
    esbuildOptions(options) {
      options.logOverride = { ...options.logOverride, 'empty-import-meta': 'silent' };
    },
  },
]);
