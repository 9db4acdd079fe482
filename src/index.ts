/**
 * vn-national-gateway: resilient, schema-validated calls to Vietnam's central platforms.
 * The adapters live in `vn-national-gateway/adapters`, the mock platforms in
 * `vn-national-gateway/testing`, identifier rules in `vn-national-gateway/identifiers`.
 */
export {
  type Adapter,
  type AdapterFactory,
  type AdapterOptions,
  type AdapterSpec,
  type CallContext,
  type DecodeInfo,
  defineAdapter,
  defineOperation,
  defineProfile,
  type EnvelopeResult,
  type IdentityField,
  isAdapter,
  type IsPersonalData,
  type OperationKind,
  type OperationMap,
  type OperationSpec,
  type OperationWire,
  type PersonalDataContext,
  type ReplyIdentity,
  type WireInfo,
  type WireProfile,
  type BodyCodec,
  type WireReply,
  type WireRequest,
} from './adapter.js';
export type { CallMeta, CallResult } from './call.js';
export { type Clock, systemClock } from './clock.js';
export {
  ERROR_CODES,
  type ErrorCode,
  type FieldIssue,
  GatewayError,
  type GatewayErrorOptions,
  ISSUE_CODES,
  type IssueCode,
  isGatewayError,
  isTransient,
  TRANSIENT_CODES,
} from './errors.js';
export type {
  AttemptEvent,
  BreakerEvent,
  CallEvent,
  CallOutcome,
  ContractEvent,
  FallbackEvent,
  GatewayEventName,
  GatewayEvents,
  OutboxDeadEvent,
  OutboxDeliveredEvent,
  OutboxEvent,
  OutboxPurgedEvent,
  QuotaEvent,
  RetryEvent,
  EventBus,
  UnknownValueEvent,
} from './events.js';
export type { GatewayEventsApi, IterateOptions } from './events-api.js';
export {
  type Limiter,
  localQuota,
  type Quota,
  type QuotaContext,
  type QuotaSession,
  type RedisQuotaOptions,
  redisQuota,
} from './quota/index.js';
export { type CacheOptions, DEFAULT_CACHE_OPTIONS } from './fallback/cache.js';
export {
  DEFAULT_DRAINER_OPTIONS,
  type DrainerOptions,
  type DrainReport,
  type PurgeReport,
} from './fallback/drainer.js';
export type { OutboxTicket } from './fallback/outbox/ticket.js';
export type { GatewayEventsOf, OutboxDeadOf, OutboxDeliveredOf } from './typed-events.js';
export type { DirectEnqueueOptions } from './fallback/outbox/direct-enqueue.js';
export {
  type ClaimOptions,
  isOutboxStoreError,
  memoryOutbox,
  type NewOutboxItem,
  OUTBOX_STATES,
  type OutboxContext,
  type OutboxError,
  type OutboxItem,
  type OutboxKind,
  type OutboxListFilter,
  type OutboxState,
  type OutboxStore,
  OutboxStoreError,
  type OutboxStoreErrorCode,
  type OutboxStoreErrorReason,
  type PurgeCounts,
  type PgQueryable,
  type PostgresEnqueueOptions,
  type PostgresOutboxOptions,
  type PostgresOutboxStore,
  postgresOutbox,
  type SqliteOutboxOptions,
  sqliteOutbox,
  type UpstreamOutboxStats,
} from './fallback/outbox/index.js';
export {
  type AdapterClient,
  createGateway,
  type EnqueueArgs,
  type Gateway,
  type GatewayCore,
  type GatewayOptions,
  type OperationNames,
  type OutboxApi,
  type QueueableOperation,
} from './gateway.js';
export {
  CONTEXT_FIELD_LABELS,
  type FieldLabel,
  type FieldLabels,
  UNLABELLED_FIELD,
} from './pipeline/field-labels.js';
export type { BreakerState } from './pipeline/breaker.js';
export {
  type BreakerPolicy,
  type BulkheadPolicy,
  type CachePolicy,
  ConfigurationError,
  DEFAULT_POLICY,
  type OperationPolicyOptions,
  type Policy,
  type PolicyOptions,
  type RateLimitPolicy,
  type RetryBudgetPolicy,
  type RetryPolicy,
} from './policy.js';
export {
  type AuditAnchor,
  type AuditEntry,
  type AuditRecord,
  type AuditSink,
  type AuditTrail,
  type AuditTrailOptions,
  type AuditVerification,
  createAuditTrail,
  type FileAuditSinkOptions,
  fileAuditSink,
  hashSubject,
  verifyAuditChain,
  type VerifyAuditOptions,
  verifyAuditRecords,
} from './telemetry/audit.js';
export {
  type PostgresAuditOptions,
  postgresAuditSink,
  verifyPostgresAuditChain,
} from './telemetry/audit-postgres.js';
export type { HealthSnapshot, HealthStatus, UpstreamHealth } from './telemetry/health.js';
export type { Liveness, PlatformStatus, Readiness, UpstreamStatus } from './telemetry/probes.js';
export { type GatewayLogFn, type GatewayLogger, REDACT_PATHS } from './telemetry/logger.js';
export { DURATION_BUCKETS } from './telemetry/metrics.js';
export {
  type MetricsServer,
  type MetricsServerOptions,
  type MetricsSource,
  serveMetrics,
} from './telemetry/server.js';
export { type AxiosTransportOptions, axiosTransport, DEFAULT_TRANSPORT_OPTIONS } from './transport/axios.js';
export type { AuthOptions } from './transport/auth.js';
export type { GatewayHooks, HookRequest, HookResponse } from './transport/hooks.js';
export type { TransportTlsOptions } from './transport/tls.js';
export type {
  HttpMethod,
  Transport,
  TransportRequest,
  TransportResponse,
  TransportStack,
} from './transport/types.js';
export type { PgPool, PgPoolClient, PgQueryResult, RedisClient } from './util/peer-types.js';
