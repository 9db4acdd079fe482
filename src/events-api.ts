/**
 * The public face of a gateway's {@link EventBus}: `on`, `once`, `off` and async iteration, typed
 * per event name. Everything here belongs to one gateway and ends with its `close()`.
 */
import type { EventBus, GatewayEventName, GatewayEvents } from './events.js';

/** Options of {@link GatewayEventsApi.iterate}. */
export interface IterateOptions {
  /** Ends the iteration (the loop exits normally) when aborted. */
  signal?: AbortSignal | undefined;
  /**
   * Events kept while the loop body is busy; past it the oldest are dropped (a slow consumer
   * must not grow the heap without bound). @default 1024
   */
  maxBuffered?: number | undefined;
}

type Listener<E extends GatewayEventName> = (e: GatewayEvents[E]) => void;

/** `gateway.events`: a typed, EventEmitter-like view of the gateway's events. */
export interface GatewayEventsApi {
  /** Subscribes; returns the function that unsubscribes (as does {@link GatewayEventsApi.off}). */
  on<E extends GatewayEventName>(event: E, fn: Listener<E>): () => void;
  /** Subscribes for the next event only; returns the function that unsubscribes. */
  once<E extends GatewayEventName>(event: E, fn: Listener<E>): () => void;
  /** Unsubscribes a listener given to `on` or `once`. */
  off<E extends GatewayEventName>(event: E, fn: Listener<E>): void;
  /**
   * The events of one name as an async iterable:
   * `for await (const e of gateway.events.iterate('call', { signal })) …`. The loop ends when the
   * signal aborts, when it is left (`break`), or when the gateway closes; its listener goes with it.
   */
  iterate<E extends GatewayEventName>(
    event: E,
    options?: IterateOptions,
  ): AsyncIterableIterator<GatewayEvents[E]>;
}

/** Builds a gateway's events API; `close()` ends every open iteration. */
export function createEventsApi(bus: EventBus): { api: GatewayEventsApi; close(): void } {
  // Per listener given by the caller: its unsubscribe function (a `once` wraps the listener).
  const subscriptions = new Map<GatewayEventName, Map<(e: never) => void, () => void>>();
  const iterators = new Set<() => void>();

  const subscribe = <E extends GatewayEventName>(event: E, fn: Listener<E>, once: boolean) => {
    const byFn = subscriptions.get(event) ?? new Map();
    subscriptions.set(event, byFn);
    byFn.get(fn)?.();
    const off = bus.on(
      event,
      once
        ? (e) => {
            unsubscribe();
            fn(e);
          }
        : fn,
    );
    const unsubscribe = () => {
      off();
      if (byFn.get(fn) === unsubscribe) byFn.delete(fn);
    };
    byFn.set(fn, unsubscribe);
    return unsubscribe;
  };

  const api: GatewayEventsApi = {
    on: (event, fn) => subscribe(event, fn, false),
    once: (event, fn) => subscribe(event, fn, true),
    off: (event, fn) => subscriptions.get(event)?.get(fn)?.(),
    iterate<E extends GatewayEventName>(event: E, options: IterateOptions = {}) {
      const max = options.maxBuffered ?? 1024;
      const buffer: GatewayEvents[E][] = [];
      let wake: ((r: IteratorResult<GatewayEvents[E]>) => void) | undefined;
      let done = false;
      const off = bus.on(event, (e) => {
        if (wake) {
          const w = wake;
          wake = undefined;
          w({ value: e, done: false });
        } else {
          buffer.push(e);
          if (buffer.length > max) buffer.shift();
        }
      });
      const end = () => {
        if (done) return;
        done = true;
        off();
        iterators.delete(end);
        options.signal?.removeEventListener('abort', end);
        buffer.length = 0;
        wake?.({ value: undefined, done: true });
        wake = undefined;
      };
      iterators.add(end);
      if (options.signal?.aborted) end();
      else options.signal?.addEventListener('abort', end, { once: true });
      const it: AsyncIterableIterator<GatewayEvents[E]> = {
        next() {
          if (buffer.length > 0) return Promise.resolve({ value: buffer.shift()!, done: false });
          if (done) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => {
            wake = resolve;
          });
        },
        return() {
          end();
          return Promise.resolve({ value: undefined, done: true });
        },
        [Symbol.asyncIterator]() {
          return it;
        },
      };
      return it;
    },
  };
  return {
    api,
    close() {
      for (const end of [...iterators]) end();
      subscriptions.clear();
    },
  };
}
