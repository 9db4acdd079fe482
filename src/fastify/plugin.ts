/**
 * The gateway in a Fastify app: its telemetry as routes, its life tied to the app's, and the
 * request id carried into every call. Fastify is an optional peer dependency; this module only
 * uses the app it is given (types from fastify, no run-time import).
 */

import type { FastifyInstance, FastifyPluginAsync, FastifyRequest, LogLevel } from 'fastify';
// The core by its public name: one copy of it at run time, shared with the app's gateway.
import { ConfigurationError, type GatewayCore } from 'vn-national-gateway';
import { type TelemetryPath, telemetryAnswer } from '../telemetry/endpoints.js';
import { correlatedGateway } from './correlated.js';

/**
 * Augment it to type the decorators with your gateway (and its upstreams):
 *
 * ```ts
 * declare module 'vn-national-gateway/fastify' {
 *   interface FastifyGatewayTypes { gateway: typeof gateway }
 * }
 * ```
 * Left alone, `app.gateway` and `request.gateway` are typed as {@link GatewayCore}.
 */
// biome-ignore lint/suspicious/noEmptyInterface: a declaration-merging point, empty on purpose
export interface FastifyGatewayTypes {}

/** The type of `app.gateway` and `request.gateway`: your gateway once {@link FastifyGatewayTypes} names it. */
export type DecoratedGateway = FastifyGatewayTypes extends { gateway: infer G } ? G : GatewayCore;

declare module 'fastify' {
  interface FastifyInstance {
    /** The gateway registered with the vn-national-gateway plugin. */
    gateway: DecoratedGateway;
  }
  interface FastifyRequest {
    /** The gateway, with this request's `id` as every call's `correlationId` (unless the context names one). */
    readonly gateway: DecoratedGateway;
  }
}

/** Which telemetry routes to serve. */
export interface FastifyGatewayRoutes {
  /** `GET /metrics`: Prometheus text, with the registry's content type. @default true */
  metrics?: boolean | undefined;
  /** `GET /health`: the health snapshot, 503 when every breaker is open. @default true */
  health?: boolean | undefined;
  /** `GET /livez`: liveness probe, 200. @default true */
  livez?: boolean | undefined;
  /** `GET /readyz`: readiness probe, 503 when not ready (closing, or the outbox store fails). @default true */
  readyz?: boolean | undefined;
  /** `GET /status`: per-platform breaker, fallback share and outbox depth. @default true */
  status?: boolean | undefined;
}

/** Options of {@link fastifyGateway}. */
export interface FastifyGatewayOptions {
  /** The gateway (from `createGateway`). The plugin does not create one: you keep its configuration. */
  gateway: GatewayCore;
  /**
   * Prefix of the telemetry routes, e.g. `'/ops'` serves `/ops/metrics`. Fastify's own `prefix`
   * register option means the same here (the plugin is not encapsulated, so Fastify would not
   * apply it). @default ''
   */
  routePrefix?: string | undefined;
  /** The routes to serve, or `false` for none (decorators and closing only). @default every route */
  routes?: FastifyGatewayRoutes | false | undefined;
  /** Close the gateway when the app closes (an `onClose` hook). @default true */
  closeGateway?: boolean | undefined;
  /**
   * Log level of the telemetry routes' requests: probes and scrapes come every few seconds, and
   * at Fastify's default each would write two `info` lines. @default 'warn'
   */
  routeLogLevel?: LogLevel | undefined;
}

const ROUTES: Readonly<Record<keyof FastifyGatewayRoutes, TelemetryPath>> = {
  metrics: '/metrics',
  health: '/health',
  livez: '/livez',
  readyz: '/readyz',
  status: '/status',
};

/** Our options plus those Fastify's `register` itself reads (and passes on). */
const KNOWN_OPTIONS = new Set([
  'gateway',
  'routePrefix',
  'routes',
  'closeGateway',
  'routeLogLevel',
  'prefix',
  'logLevel',
  'logSerializers',
]);

function checkOptions(options: FastifyGatewayOptions): void {
  const o = (options ?? {}) as unknown as Record<string, unknown>;
  const gateway = o.gateway as Partial<GatewayCore> | undefined;
  if (
    !gateway ||
    typeof gateway.metrics !== 'function' ||
    typeof gateway.close !== 'function' ||
    !gateway.registry
  )
    throw new ConfigurationError(
      'vn-national-gateway/fastify: options.gateway must be a gateway from createGateway()',
    );
  const unknown = Object.keys(o).filter((k) => !KNOWN_OPTIONS.has(k));
  if (unknown.length > 0)
    throw new ConfigurationError(
      `vn-national-gateway/fastify: unknown option ${unknown.join(', ')} (known: gateway, routePrefix, routes, closeGateway, routeLogLevel)`,
    );
  const prefix = o.routePrefix;
  if (
    prefix !== undefined &&
    (typeof prefix !== 'string' || (prefix !== '' && !/^\/[^?#\s]*[^/]$/.test(prefix)))
  )
    throw new ConfigurationError(
      "vn-national-gateway/fastify: routePrefix must start with '/' and not end with one (e.g. '/ops')",
    );
  const routes = o.routes;
  if (routes !== undefined && routes !== false) {
    if (typeof routes !== 'object' || routes === null)
      throw new ConfigurationError('vn-national-gateway/fastify: routes must be an object or false');
    const bad = Object.keys(routes).filter((k) => !(k in ROUTES));
    if (bad.length > 0)
      throw new ConfigurationError(
        `vn-national-gateway/fastify: unknown route ${bad.join(', ')} (known: ${Object.keys(ROUTES).join(', ')})`,
      );
  }
}

async function plugin(app: FastifyInstance, options: FastifyGatewayOptions): Promise<void> {
  checkOptions(options);
  const { gateway, routes = {}, closeGateway = true, routeLogLevel = 'warn' } = options;
  const routePrefix = options.routePrefix ?? (options as { prefix?: string }).prefix ?? '';

  app.decorate('gateway', gateway as DecoratedGateway);
  // One view per request, made on first use (most requests of a city system call the gateway
  // once or not at all). Keyed weakly: it goes with the request.
  const views = new WeakMap<FastifyRequest, DecoratedGateway>();
  app.decorateRequest('gateway', {
    getter(this: FastifyRequest) {
      let view = views.get(this);
      if (view === undefined) {
        view = correlatedGateway(gateway as DecoratedGateway & object, String(this.id));
        views.set(this, view);
      }
      return view;
    },
  });

  if (closeGateway) app.addHook('onClose', () => gateway.close());

  if (routes === false) return;
  for (const [name, path] of Object.entries(ROUTES) as [keyof FastifyGatewayRoutes, TelemetryPath][]) {
    if (routes[name] === false) continue;
    app.get(`${routePrefix}${path}`, { logLevel: routeLogLevel }, async (_request, reply) => {
      const answer = await telemetryAnswer(gateway, path);
      return reply
        .code(answer.status)
        .header('content-type', answer.type)
        .header('cache-control', 'no-store')
        .send(answer.body);
    });
  }
}

// What fastify-plugin would set, without depending on it: no encapsulation (the decorators and
// the hook belong to the app that registers the plugin), a name in errors, the Fastify major.
Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'vn-national-gateway',
  [Symbol.for('plugin-meta')]: { name: 'vn-national-gateway', fastify: '5.x' },
});

/**
 * The Fastify plugin: serves the gateway's telemetry routes (`/metrics`, `/health`, `/livez`,
 * `/readyz`, `/status`, under `routePrefix`), decorates `app.gateway` and `request.gateway` (whose
 * calls carry `request.id` as `correlationId`), and closes the gateway when the app closes.
 * Not encapsulated: the decorators are visible to the whole app.
 *
 * @example
 * const app = Fastify();
 * await app.register(fastifyGateway, { gateway, routePrefix: '/ops' });
 * app.post('/verify', (request) =>
 *   request.gateway.vneid.verifyCitizen(request.body, { purpose: '1.001234', actor: 'officer-17' }));
 */
export const fastifyGateway: FastifyPluginAsync<FastifyGatewayOptions> = plugin;
