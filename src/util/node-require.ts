import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * A `require` that works in both builds, for optional dependencies loaded only when used
 * (better-sqlite3, nock): the ESM build has `import.meta.url`; in the CommonJS build esbuild
 * leaves `import.meta` empty but the module wrapper provides `require`.
 */
export function nodeRequire(): NodeJS.Require {
  const url: unknown = import.meta.url;
  if (typeof url === 'string') return createRequire(url);
  if (typeof require === 'function') return require;
  return createRequire(join(process.cwd(), 'index.js'));
}
