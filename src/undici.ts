/**
 * `vn-national-gateway/undici`: the undici transport, a separate entry point so the main one never
 * loads undici (an optional peer dependency).
 */
export {
  DEFAULT_UNDICI_TRANSPORT_OPTIONS,
  type UndiciTransportOptions,
  undiciTransport,
} from './transport/undici.js';
export type { TransportTlsOptions } from './transport/tls.js';
export type {
  UndiciDispatcherLike,
  UndiciRequestOptions,
  UndiciResponseData,
} from './transport/dispatcher-types.js';
