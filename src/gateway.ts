import type { Registry } from 'prom-client';
import type { z } from 'zod';
import {
  type Adapter,
  type CallContext,
  type IsPersonalData,
  isAdapter,
  type OperationMap,
  type OperationSpec,
  type PersonalDataContext,
} from './adapter.js';
import { type CallResult, type CallRuntime, invoke, replay } from './call.js';
import { type Clock, missingClockMethod, systemClock } from './clock.js';
import { EventBus, type GatewayEventName, type GatewayEvents } from './events.js';
import { createEventsApi, type GatewayEventsApi } from './events-api.js';
import { type CacheOptions, StaleCache } from './fallback/cache.js';
import {
  DEFAULT_DRAINER_OPTIONS,
  type DrainReport,
  Drainer,
  type DrainerOptions,
  type PurgeReport,
} from './fallback/drainer.js';
import { type DirectEnqueueOptions, directEnqueue } from './fallback/outbox/direct-enqueue.js';
import { discardReason } from './fallback/outbox/internal.js';
import { memoryOutbox } from './fallback/outbox/memory.js';
import { type OutboxTicket, toTicket } from './fallback/outbox/ticket.js';
import type { OutboxItem, OutboxListFilter, OutboxState, OutboxStore } from './fallback/outbox/types.js';
import { GatewayError } from './errors.js';
import type { CallScope } from './pipeline/step.js';
import { auditRecord, CallObservers, callEvent, logLine } from './telemetry/call-observers.js';
import { RESERVED } from './gateway-members.js';
import { DEFAULT_REFUSAL_LOG_INTERVAL_MS, RefusalLog } from './telemetry/refusal-log.js';
import { UnknownValueLog } from './pipeline/unknown-values.js';
import type { FieldLabels } from './pipeline/field-labels.js';
import { validationError } from './pipeline/validation.js';
import type { GatewayEventsOf } from './typed-events.js';
import { ConfigurationError, type PolicyOptions } from './policy.js';
import { checkPolicyKeys } from './policy-keys.js';
import { checkOptionKeys, type OptionKeys } from './option-keys.js';
import { checkHookKeys } from './transport/hooks.js';
import type { AuditTrail } from './telemetry/audit.js';
import { type HealthSnapshot, healthSnapshot } from './telemetry/health.js';
import { defaultLogger, type GatewayLogger } from './telemetry/logger.js';
import { type GatewayMetrics, registerMetrics } from './telemetry/metrics.js';
import { OutcomeWindow } from './telemetry/outcome-window.js';
import {
  type Liveness,
  liveness,
  type PlatformStatus,
  platformStatus,
  type Readiness,
  readiness,
} from './telemetry/probes.js';
import { createTracing, loadOpenTelemetry } from './telemetry/tracing.js';
import type { GatewayHooks } from './transport/hooks.js';
import { createUpstream, type Upstream } from './upstream.js';
import { localQuota } from './quota/local.js';
import type { Quota } from './quota/types.js';
import { loadPromClient } from './util/lazy-deps.js';

/** Options of {@link createGateway}. */
export interface GatewayOptions<U extends Record<string, Adapter>> {
  /** The platforms to call, by the name they get on the gateway: `{ vneid: vneid({ baseUrl, auth }) }`. */
  upstreams: U;
  /** Calling system's X-Road-Client id for every adapter that does not set its own. */
  client?: string | undefined;
  /**
   * Policy overrides for every adapter (an adapter's own `policy` wins); `operations` is keyed by
   * the operation names of the upstreams. Unknown keys are refused with a `ConfigurationError`.
   */
  policy?: PolicyOptions<OperationNames<U>> | undefined;
  /**
   * A pino-compatible logger (pino, Fastify's `app.log`…); one child per upstream is made from it.
   * @default pino at 'info' to stdout
   */
  logger?: GatewayLogger | undefined;
  /** A prom-client registry for the gateway's series. @default a new Registry */
  metrics?: Registry | undefined;
  /** Where queued calls are stored. @default memoryOutbox() (use sqliteOutbox({ path }) to survive restarts) */
  outbox?: OutboxStore | undefined;
  /** Outbox drainer options. */
  drainer?: DrainerOptions | undefined;
  /** Stale-if-error cache bounds. */
  cache?: CacheOptions | undefined;
  /** Audit trail for calls on citizen data (`createAuditTrail`). @default none */
  audit?: AuditTrail | undefined;
  /**
   * Where rate limits (`policy.rateLimit`, the drainer's `perSecond`) are counted. The default counts
   * per process: N instances send N times the rate. `redisQuota({ url })` shares one quota across
   * instances (falling back to the local bucket, with a warning, while Redis is unreachable).
   * @default localQuota()
   */
  quota?: Quota | undefined;
  /**
   * Request/response hooks for every upstream (`beforeRequest` may add headers, e.g. a city's
   * signature; `afterResponse` sees each reply), run before an adapter's own `hooks`. @default none
   */
  hooks?: GatewayHooks | undefined;
  /**
   * OpenTelemetry tracing when `@opentelemetry/api` is installed (an optional peer): a span per
   * call and per attempt, W3C `traceparent` on the requests, the trace id in the call's log line.
   * Needs a registered tracer provider and context manager (e.g. the NodeSDK's). `false` turns
   * it off. @default true
   */
  tracing?: boolean | undefined;
  /**
   * Time source, for tests: wall `now()` (only for what leaves the process) and `monotonic()` (every
   * duration), with the timers. @default the system clock (`Date.now()`, `performance.now()`)
   */
  clock?: Clock | undefined;
  /** Random source in [0, 1) for jitter, for tests. @default Math.random */
  random?: (() => number) | undefined;
  /**
   * While a breaker is open, the first call it refuses is logged at once and the others are
   * summarised: one warn line per upstream per this interval, with counts per operation (event
   * `breaker:refused`). A breaker's state change writes the pending summary at once.
   * @default 10000
   */
  refusalLogIntervalMs?: number | undefined;
}

/**
 * The methods of one configured upstream: `gateway.vneid.verifyCitizen(input, context)`. An
 * operation declared `personalData: true` requires its context, with `purpose` and `actor`.
 */
export type AdapterClient<Ops extends OperationMap> = {
  [K in keyof Ops]: IsPersonalData<Ops[K]> extends true
    ? (
        input: z.input<Ops[K]['input']>,
        context: PersonalDataContext,
      ) => Promise<CallResult<z.output<Ops[K]['output']>>>
    : (
        input: z.input<Ops[K]['input']>,
        context?: CallContext,
      ) => Promise<CallResult<z.output<Ops[K]['output']>>>;
};

type OpsOf<A> = A extends Adapter<infer Ops> ? Ops : never;

/** Every operation name of a gateway's upstreams. */
export type OperationNames<U extends Record<string, Adapter>> = {
  [K in keyof U]: keyof OpsOf<U[K]> & string;
}[keyof U];

/** The spec of an operation named `"upstream.operation"`. */
type SpecAt<U extends Record<string, Adapter>, T extends string> = T extends `${infer A}.${infer O}`
  ? A extends keyof U
    ? O extends keyof OpsOf<U[A]>
      ? OpsOf<U[A]>[O]
      : never
    : never
  : never;

/**
 * Every operation of a gateway that `outbox.enqueue` accepts, as `"upstream.operation"`: the
 * writes (`'tax.registerTaxpayer'`, `'land.submitRegistration'`).
 */
export type QueueableOperation<U extends Record<string, Adapter>> = {
  [A in keyof U & string]: {
    [O in keyof OpsOf<U[A]> & string]: OpsOf<U[A]>[O] extends { kind: 'read' } ? never : `${A}.${O}`;
  }[keyof OpsOf<U[A]> & string];
}[keyof U & string];

/**
 * The arguments of `outbox.enqueue` after the operation, as for the call itself: the input of that
 * operation, and its context (required, with `purpose` and `actor`, on citizen data).
 */
export type EnqueueArgs<S> = S extends OperationSpec
  ? IsPersonalData<S> extends true
    ? [input: z.input<S['input']>, context: PersonalDataContext, options?: DirectEnqueueOptions]
    : [input: z.input<S['input']>, context?: CallContext, options?: DirectEnqueueOptions]
  : never;

/** The outbox as operators and city systems see it. */
export interface OutboxApi<U extends Record<string, Adapter> = Record<string, Adapter>> {
  list(filter?: OutboxListFilter): Promise<OutboxItem[]>;
  /**
   * A ticket's outcome (state, attempts, result summary or error, times), read from the store: any
   * instance sharing it sees the same. `undefined` for an unknown or purged ticket.
   */
  get(ticket: string): Promise<OutboxTicket | undefined>;
  /** Replays every due item now, and resolves with what the pass did. */
  drain(): Promise<DrainReport>;
  /** Puts a dead-lettered item back in the queue. */
  retryDeadLetter(ticket: string): Promise<OutboxItem | undefined>;
  /** Same as {@link OutboxApi.retryDeadLetter}: the dead letter is due again now. */
  retry(ticket: string): Promise<OutboxTicket | undefined>;
  /**
   * An operator gives up on a dead letter: its input is erased (hash kept), it leaves the dead
   * count and is purged after the retention. `reason` (1–500 characters, no personal ID) is kept.
   * `undefined` if the ticket is unknown, not dead or already discarded; `VALIDATION` for a bad reason.
   */
  discard(ticket: string, options: { reason: string }): Promise<OutboxTicket | undefined>;
  /**
   * Deletes delivered and discarded items older than `olderThanMs` (default: the drainer's
   * `retentionMs`, 3 days) at `now` (default: the clock). Never a pending or dead item. The
   * drainer runs it every `purgeEveryMs`.
   */
  purge(options?: { olderThanMs?: number | undefined; now?: number | undefined }): Promise<PurgeReport>;
  counts(): Promise<Record<OutboxState, number>>;
  /**
   * Queues a write for the drainer without calling the upstream first, validated like a call
   * (input, context, purpose and actor on citizen data). `operation` is `"upstream.operation"`,
   * typed like the calls: `outbox.enqueue('tax.registerTaxpayer', input, context)`. With
   * `{ client }` (postgresOutbox only) the item joins the caller's open transaction. Rejects with
   * `VALIDATION` (nothing stored; an unknown operation's message lists the writes that can be
   * queued) or, if the store fails, with `NOT_SAVED`: the write was not kept, resubmit it.
   */
  enqueue<T extends QueueableOperation<U>>(
    operation: T,
    ...args: EnqueueArgs<SpecAt<U, T>>
  ): Promise<OutboxItem>;
}

/** The gateway's own methods, beside one property per upstream. */
export interface GatewayCore {
  /** A JSON snapshot per upstream: breaker, window error ratio, latency, retries, fallbacks, outbox depth. */
  health(): Promise<HealthSnapshot>;
  /**
   * Liveness: answers `{ status: 'ok' }` while the process works. Never looks at the platforms
   * or the store: restarting an instance does not bring a platform back.
   */
  livez(): Liveness;
  /**
   * Readiness: `ready` while the gateway is open and its outbox store accepts a write (within 2 s), so
   * it can serve or queue. Independent of the platforms: with every upstream down it stays
   * ready (reads are served stale, writes queued). Never rejects.
   */
  readyz(): Promise<Readiness>;
  /**
   * The platforms as this instance sees them, for dashboards: per upstream the breaker state and
   * since when, calls and fallback share over the last 5 minutes, and its outbox depth and oldest
   * pending age (store-wide). Never rejects (an unreadable store gives `outbox: null`).
   */
  platformStatus(): Promise<PlatformStatus>;
  /** Prometheus exposition text of the gateway's registry. */
  metrics(): Promise<string>;
  /** The registry itself (for a server of your own). */
  readonly registry: Registry;
  /** Subscribes to a typed event; returns the function that unsubscribes. Same as `events.on`. */
  on<E extends GatewayEventName>(event: E, fn: (e: GatewayEvents[E]) => void): () => void;
  /** The gateway's events: `on`, `once`, `off` and `iterate` (async iteration), typed per event name. */
  readonly events: GatewayEventsApi;
  readonly outbox: OutboxApi;
  /** Stops the drainer, the breakers' timers, sockets, and the outbox store. */
  close(): Promise<void>;
}

export type Gateway<U extends Record<string, Adapter>> = Omit<GatewayCore, 'on' | 'outbox'> & {
  /** The outbox, its `enqueue` typed by this gateway's write operations. */
  readonly outbox: OutboxApi<U>;
  /**
   * Subscribes to a typed event; returns the function that unsubscribes. `outbox:delivered` and
   * `outbox:dead` are unions over this gateway's operations: narrow on `upstream` and `operation`
   * and `result` has that operation's output type.
   */
  on<E extends GatewayEventName>(event: E, fn: (e: GatewayEventsOf<U>[E]) => void): () => void;
} & {
  readonly [K in keyof U]: AdapterClient<OpsOf<U[K]>>;
};

/**
 * Creates a gateway: one set of breakers, budgets, caches, metrics and an outbox, shared by
 * nothing else in the process. Throws {@link ConfigurationError} on bad configuration.
 */
export function createGateway<U extends Record<string, Adapter>>(options: GatewayOptions<U>): Gateway<U> {
  // Before anything is opened: a misspelt option fails here, naming the closest known one.
  checkGatewayOptionKeys(options);
  if (!options || typeof options.upstreams !== 'object' || Object.keys(options.upstreams).length === 0) {
    throw new ConfigurationError('Invalid gateway configuration: upstreams must name at least one adapter');
  }
  const logger = options.logger ?? defaultLogger();
  const clock = options.clock ?? systemClock;
  const missing = missingClockMethod(clock);
  if (missing)
    throw new ConfigurationError(
      `Invalid gateway configuration: clock.${missing} must be a function (a Clock has now() for wall time and monotonic() for durations)`,
    );
  const registry = options.metrics ?? new (loadPromClient().Registry)();
  const outbox = options.outbox ?? memoryOutbox();
  const outboxDurable = outbox.durable !== false;
  if (!outboxDurable) {
    // Loud on purpose: a city running the default would lose every queued dossier on a restart.
    logger.warn(
      { outboxDurable },
      'outbox is NOT durable (memoryOutbox): queued writes are lost on restart; use sqliteOutbox({ path }) or a PostgreSQL outbox in production',
    );
  }
  const events = new EventBus((event, error) =>
    logger.error({ event, err: (error as Error)?.name }, 'event listener threw'),
  );
  const tracing = options.tracing === false ? undefined : createTracing(loadOpenTelemetry());
  // close() ends the calls in flight itself (no listener per call), before the breakers and
  // transports go away.
  const shutdown = new AbortController();
  const live = new Set<CallScope>();
  const inFlight = new Set<Promise<unknown>>();
  const refusalLogIntervalMs = options.refusalLogIntervalMs ?? DEFAULT_REFUSAL_LOG_INTERVAL_MS;
  if (!Number.isSafeInteger(refusalLogIntervalMs) || refusalLogIntervalMs <= 0)
    throw new ConfigurationError(
      'Invalid gateway configuration: refusalLogIntervalMs must be a positive integer (milliseconds)',
    );
  const refusals = new RefusalLog(clock, refusalLogIntervalMs);
  const observers = new CallObservers((error) =>
    logger.error({ err: (error as Error)?.name }, 'call observer threw'),
  );
  const random = options.random ?? Math.random;
  const rt: CallRuntime = {
    clock,
    random,
    events,
    cache: new StaleCache(options.cache),
    outbox,
    unknownValues: new UnknownValueLog(clock),
    observers,
    shutdown: shutdown.signal,
  };

  const upstreams = new Map<string, Upstream>();
  const quota = (options.quota ?? localQuota()).open({ clock, logger, events });
  let telemetry: GatewayMetrics;
  try {
    checkPolicyKeys(
      'createGateway',
      options.policy,
      Object.values(options.upstreams).flatMap((a) => (isAdapter(a) ? Object.keys(a.spec.operations) : [])),
    );
    for (const [name, adapter] of Object.entries(options.upstreams)) {
      if (RESERVED.has(name))
        throw new ConfigurationError(
          `Invalid gateway configuration: "${name}" is reserved; name the upstream otherwise`,
        );
      if (!isAdapter(adapter))
        throw new ConfigurationError(
          `Invalid configuration of upstreams.${name}: not an adapter (use vneid({...}) or defineAdapter)`,
        );
      upstreams.set(
        name,
        createUpstream(name, adapter, {
          clock,
          logger,
          events,
          client: options.client,
          policy: options.policy,
          quota,
          hooks: options.hooks,
          tracing,
          random,
          live,
          shutdown: shutdown.signal,
        }),
      );
    }

    telemetry = registerMetrics(registry, events, {
      upstreams: Object.fromEntries([...upstreams].map(([name, up]) => [name, up.spec.operations])),
      outboxCounts: () => outbox.counts(),
      outboxStats: () => outbox.stats(),
      concurrency: () =>
        Object.fromEntries(
          [...upstreams].map(([name, { bulkhead: b }]) => [
            name,
            { limit: b.limit, inFlight: b.inFlight, queued: b.queued },
          ]),
        ),
      now: () => clock.now(),
    });
  } catch (error) {
    // A bad configuration must not leave the breakers' timers and the transports' sockets behind.
    releaseUpstreams(upstreams.values());
    void quota.close();
    throw error;
  }
  // How calls end, in this order: audit record, `call` event (metrics), health stats, log line.
  if (options.audit) observers.add(auditRecord(options.audit));
  observers.add(callEvent(events));
  const outcomes = new OutcomeWindow(clock);
  observers.add((r) => {
    outcomes.record(r.upstream, r.outcome);
    upstreams.get(r.upstream)?.stats.recordCall(r.durationMs, r.outcome);
  });
  observers.add(refusals.wrap(logLine(tracing?.traceId)));
  // A state change ends an outage period (or starts one): its summary goes out now, and the
  // first refusal of the next open breaker is logged at once.
  for (const change of ['breaker:open', 'breaker:half-open', 'breaker:close'] as const)
    events.on(change, (e) => refusals.flush(e.upstream));
  events.on('retry', (e) => upstreams.get(e.upstream)?.stats.recordRetry());
  events.on('fallback', (e) => upstreams.get(e.upstream)?.stats.recordFallback());
  const drainer = new Drainer(rt, upstreams, replay(rt, upstreams), options.drainer, logger);
  // A recovered upstream drains its queue at once rather than at the next poll.
  events.on('breaker:close', (e) => drainer.breakerClosed(e.upstream));
  if (options.drainer?.autoStart ?? true) drainer.start();

  const eventsApi = createEventsApi(events);
  let closed: Promise<void> | undefined;
  const core: GatewayCore = {
    registry,
    health: async () => healthSnapshot(upstreams.values(), await outbox.counts(), clock.now(), outboxDurable),
    livez: () => liveness(clock),
    readyz: () =>
      readiness({
        clock,
        closed: () => closed !== undefined,
        outboxCounts: () => outbox.counts(),
        ...(outbox.checkWritable && { outboxWritable: () => outbox.checkWritable!() }),
      }),
    platformStatus: () => platformStatus(upstreams.values(), outcomes, () => outbox.stats(), clock.now()),
    metrics: () => registry.metrics(),
    on: (event, fn) => eventsApi.api.on(event, fn),
    events: eventsApi.api,
    outbox: {
      list: (filter) => outbox.list(filter),
      get: async (ticket) => {
        const item = await outbox.get(ticket);
        return item && toTicket(item);
      },
      drain: () => drainer.drain(),
      retryDeadLetter: (ticket) => outbox.retryDeadLetter(ticket, clock.now()),
      retry: async (ticket) => {
        const item = await outbox.retryDeadLetter(ticket, clock.now());
        return item && toTicket(item);
      },
      discard: async (ticket, opts) => {
        const reason = opts?.reason;
        try {
          discardReason(reason);
        } catch {
          throw validationError(
            [{ path: 'reason', message: 'must be 1–500 characters without a personal ID (9+ digits)' }],
            undefined,
            OUTBOX_LABELS,
          );
        }
        const item = await outbox.discard(ticket, reason, clock.now());
        return item && toTicket(item);
      },
      purge: (opts = {}) => {
        const { olderThanMs = drainer.retentionMs, now = clock.now() } = opts ?? {};
        const issues = [
          ...(Number.isFinite(olderThanMs) && olderThanMs >= 0
            ? []
            : [{ path: 'olderThanMs', message: 'must be a finite number >= 0' }]),
          ...(Number.isFinite(now) ? [] : [{ path: 'now', message: 'must be a finite number (epoch ms)' }]),
        ];
        if (issues.length > 0) return Promise.reject(validationError(issues, undefined, OUTBOX_LABELS));
        return drainer.purge(olderThanMs, now);
      },
      counts: () => outbox.counts(),
      enqueue: ((operation: unknown, input?: unknown, context?: unknown, opts?: unknown) =>
        directEnqueue(rt, upstreams, operation, input, context, opts)) as OutboxApi['enqueue'],
    },
    close() {
      closed ??= (async () => {
        shutdown.abort(new GatewayError('ABORTED', 'The gateway is closing'));
        // One error per call: each is annotated with its own request id.
        for (const call of live) call.end(new GatewayError('ABORTED', 'The gateway is closing'));
        // Let aborted calls settle (a write the store accepted stays queued) before releasing.
        await Promise.allSettled([...inFlight]);
        await drainer.stop();
        releaseUpstreams(upstreams.values());
        refusals.close(); // the outage summaries still pending
        eventsApi.close();
        events.clear();
        telemetry.unregister(); // also from an injected registry: a closed gateway must not break its scrapes
        await outbox.close();
        await quota.close();
      })();
      return closed;
    },
  };

  const gateway: Record<string, unknown> = { ...core };
  Object.defineProperty(gateway, 'registry', { value: registry, enumerable: true });
  for (const [name, up] of upstreams) {
    const client: Record<string, unknown> = {};
    for (const op of Object.values(up.operations)) {
      client[op.name] = (input: unknown, context?: CallContext) =>
        closed
          ? Promise.reject(
              new GatewayError('ABORTED', 'The gateway is closed', { upstream: name, operation: op.name }),
            )
          : track(
              inFlight,
              tracing
                ? tracing.call(name, op.name, () => invoke(rt, up, op, input, context))
                : invoke(rt, up, op, input, context),
            );
    }
    gateway[name] = Object.freeze(client);
  }
  return Object.freeze(gateway) as Gateway<U>;
}

/** Vietnamese names of the outbox methods' arguments, for their `VALIDATION` errors. */
const OUTBOX_LABELS: FieldLabels = {
  reason: 'lý do hủy',
  olderThanMs: 'thời hạn lưu',
  now: 'thời điểm tính',
};

const GATEWAY_OPTION_KEYS: OptionKeys<GatewayOptions<Record<string, Adapter>>> = {
  upstreams: true,
  client: true,
  policy: true,
  logger: true,
  metrics: true,
  outbox: true,
  refusalLogIntervalMs: true,
  drainer: true,
  cache: true,
  audit: true,
  quota: true,
  hooks: true,
  tracing: true,
  clock: true,
  random: true,
};

const CACHE_OPTION_KEYS: OptionKeys<CacheOptions> = { maxBytes: true };

function checkGatewayOptionKeys(options: GatewayOptions<Record<string, Adapter>> | undefined): void {
  if (typeof options !== 'object' || options === null) return;
  checkOptionKeys('createGateway', options, GATEWAY_OPTION_KEYS);
  // Every drainer option has a default, so the defaults object lists them all.
  checkOptionKeys(
    'drainer',
    options.drainer,
    Object.fromEntries(Object.keys(DEFAULT_DRAINER_OPTIONS).map((k) => [k, true as const])),
  );
  checkOptionKeys('cache', options.cache, CACHE_OPTION_KEYS);
  checkHookKeys('hooks', options.hooks);
}

function track<T>(set: Set<Promise<unknown>>, p: Promise<T>): Promise<T> {
  set.add(p);
  const forget = () => void set.delete(p);
  p.then(forget, forget);
  return p;
}

function releaseUpstreams(upstreams: Iterable<Upstream>): void {
  for (const up of upstreams) {
    up.breaker.shutdown();
    up.transport.close?.();
  }
}
