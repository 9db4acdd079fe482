import { defineConfig, type Options } from 'tsup';

const entry = {
  index: 'src/index.ts',
  adapters: 'adapters/index.ts',
  testing: 'src/testing/index.ts',
  identifiers: 'src/identifiers/index.ts',
  cli: 'src/cli/bin.ts',
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

export default defineConfig([
  { ...shared, format: ['esm'], dts: true, clean: true, splitting: true },
  // p-retry is ESM-only: bundle it (and its one dependency) so CommonJS consumers can require us.
  // The CLI is an ES module bin only.
  {
    ...shared,
    entry: {
      index: entry.index,
      adapters: entry.adapters,
      testing: entry.testing,
      identifiers: entry.identifiers,
    },
    format: ['cjs'],
    dts: true, // .d.cts, so require() consumers get CommonJS-flavoured types
    noExternal: ['p-retry', 'is-network-error'],
  },
]);
