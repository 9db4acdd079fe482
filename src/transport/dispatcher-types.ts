/**
 * Structural types of the undici dispatcher the undici transport sends through, so that no public
 * `.d.ts` imports undici (an optional peer dependency). undici's `Agent`, `Pool`, `MockAgent` and
 * the testing kit's mock dispatcher all fit.
 */

/** The part of an undici `Dispatcher` the transport uses (`Agent`, `Pool`, `MockAgent` fit). */
export interface UndiciDispatcherLike {
  request(options: UndiciRequestOptions): Promise<UndiciResponseData>;
}

/** What the transport passes to {@link UndiciDispatcherLike.request}. */
export interface UndiciRequestOptions {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  /** Left out when the request has no body. */
  body?: string;
  signal: AbortSignal;
}

/** What the transport reads of undici's answer. */
export interface UndiciResponseData {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: NodeJS.ReadableStream & { destroy(error?: Error): unknown };
}
