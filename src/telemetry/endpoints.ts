/**
 * What each telemetry endpoint answers, apart from any HTTP server: the `node:http` status server
 * and the Fastify plugin serve the same answers from here.
 */

import type { GatewayCore } from '../gateway.js';

/**
 * What the endpoints use of a gateway. `livez`, `readyz` and `platformStatus` are optional so that
 * a source of your own may leave them out (their paths then answer 404).
 */
export type MetricsSource = Pick<GatewayCore, 'metrics' | 'health' | 'registry'> &
  Partial<Pick<GatewayCore, 'livez' | 'readyz' | 'platformStatus'>>;

/** The telemetry endpoints' paths. */
export const TELEMETRY_PATHS = ['/metrics', '/health', '/livez', '/readyz', '/status'] as const;

export type TelemetryPath = (typeof TELEMETRY_PATHS)[number];

/** One endpoint's answer to a GET. */
export interface TelemetryAnswer {
  status: number;
  /** `Content-Type`. */
  type: string;
  body: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

/**
 * The answer of one endpoint (never rejects):
 * - `/metrics`: the exposition text with the registry's content type; 500 if collecting fails.
 * - `/health`: 200 when `ok` or `degraded`, 503 when `down` or when the snapshot fails.
 * - `/livez`: 200. `/readyz`: 200 when `ready`, 503 otherwise. `/status`: 200, 500 if it fails.
 * - 404 for a probe the source does not have.
 * A failure's message is never sent: it might come from a store and say more than a probe needs.
 */
export async function telemetryAnswer(source: MetricsSource, path: TelemetryPath): Promise<TelemetryAnswer> {
  if (path === '/metrics') {
    try {
      return { status: 200, type: source.registry.contentType, body: await source.metrics() };
    } catch {
      return { status: 500, type: TEXT_TYPE, body: 'metrics collection failed\n' };
    }
  }
  if (path === '/health') {
    try {
      const health = await source.health();
      return { status: health.status === 'down' ? 503 : 200, type: JSON_TYPE, body: JSON.stringify(health) };
    } catch {
      return {
        status: 503,
        type: JSON_TYPE,
        body: JSON.stringify({ status: 'down', error: 'health snapshot failed' }),
      };
    }
  }
  const probe = (
    { '/livez': source.livez, '/readyz': source.readyz, '/status': source.platformStatus } as Record<
      string,
      ((this: MetricsSource) => unknown) | undefined
    >
  )[path];
  if (!probe) return { status: 404, type: TEXT_TYPE, body: `not found: this source has no ${path}\n` };
  try {
    const answer = (await probe.call(source)) as { status?: string };
    const status = path === '/readyz' && answer.status !== 'ready' ? 503 : 200;
    return { status, type: JSON_TYPE, body: JSON.stringify(answer) };
  } catch {
    const status = path === '/readyz' ? 503 : 500;
    return { status, type: JSON_TYPE, body: JSON.stringify({ error: `${path.slice(1)} failed` }) };
  }
}
