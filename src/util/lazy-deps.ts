/**
 * The dependencies that take most of a cold `import('vn-national-gateway')` (axios, prom-client,
 * pino, lru-cache: together about twice the rest of the package), loaded when a gateway, a
 * transport or an audit file is created instead of when the package is imported. Synchronous
 * `require`s: creating a gateway stays synchronous, and Node's module cache makes the second
 * call a lookup. prom-client and pino are CommonJS only, so this is the same instance an
 * application's own `import` gets (a `Registry` passed in still works).
 */
import { nodeRequire } from './node-require.js';

export const loadAxios = (): typeof import('axios').default =>
  (nodeRequire()('axios') as { default: typeof import('axios').default }).default;

export const loadPromClient = (): typeof import('prom-client') => nodeRequire()('prom-client');

export const loadPino = (): typeof import('pino').default =>
  (nodeRequire()('pino') as { default: typeof import('pino').default }).default;

export const loadLruCache = (): typeof import('lru-cache').LRUCache =>
  (nodeRequire()('lru-cache') as typeof import('lru-cache')).LRUCache;
