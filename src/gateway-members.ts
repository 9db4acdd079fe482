/**
 * The gateway's own member names, in a module of its own so that an integration (the Fastify
 * plugin) can tell them from upstream names without loading the gateway.
 */

/** Names an upstream cannot take: the gateway's own members (and `then`, so it is not a thenable). */
export const RESERVED: ReadonlySet<string> = new Set([
  'health',
  'livez',
  'readyz',
  'platformStatus',
  'metrics',
  'registry',
  'on',
  'events',
  'outbox',
  'close',
  'then',
]);
