/**
 * The public API for describing a national platform: `defineOperation` (domain: schemas, kind,
 * personal data) and `defineAdapter` (a set of operations plus the wire `profile` that maps them
 * to one platform's paths, field names and envelope). The built-in adapters use exactly this API;
 * so can a city team adding a fourth platform.
 */
import type { z } from 'zod';
import type { ErrorCode } from './errors.js';
import type { OperationPolicyOptions, PolicyOptions } from './policy.js';
import type { AuthOptions } from './transport/auth.js';
import type { GatewayHooks } from './transport/hook-types.js';
import type { HttpMethod, Transport } from './transport/types.js';

export type OperationKind = 'read' | 'write';

/** The second argument of every operation: who calls, why, and how to cancel. */
export interface CallContext {
  /** The procedure (public-service) code: why the data is needed. Required on citizen-data operations. */
  purpose?: string | undefined;
  /**
   * The officer (or system user) making the call. Required on citizen-data operations. Sent as
   * `X-Road-UserId` (`VN` + actor) and in the body, so it must be visible ASCII without spaces
   * (an officer code, not a Vietnamese name; a name is refused with `VALIDATION`), ≤ 128 characters.
   */
  actor?: string | undefined;
  /** The dossier this call serves; sent as `X-Road-Issue`. */
  dossierCode?: string | undefined;
  /** A write's idempotency key. @default the dossier code of the input */
  idempotencyKey?: string | undefined;
  /**
   * The caller's time budget for the whole call, in milliseconds (positive, finite). Checked by the
   * context schema. @default the operation policy's `deadlineMs`
   */
  deadlineMs?: number | undefined;
  /**
   * The caller's correlation id, for tracing across systems: visible ASCII, at most 128 characters
   * (it is sent as a header). @default none
   */
  correlationId?: string | undefined;
  /** Aborts the call (every attempt and wait) with `ABORTED`. */
  signal?: AbortSignal | undefined;
  /** For reads: queue the call when it fails transiently and no cached answer exists. Overrides the policy's `defer`. */
  defer?: boolean | undefined;
}

/** An HTTP request in the platform's own terms, relative to the adapter's `baseUrl`. */
export interface WireRequest {
  method: HttpMethod;
  /** Path under `baseUrl`, e.g. `/c06/v1/xac-thuc-cong-dan`. Encode path segments yourself. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Extra headers (the X-Road headers, auth and idempotency are added by the gateway). */
  headers?: Record<string, string>;
}

/** What a profile's functions know about the call. */
export interface WireInfo {
  /** The call's request id (`X-Road-Id`), the same for all its attempts. */
  requestId: string;
  context: Readonly<Omit<CallContext, 'signal'>>;
}

/** Given to `decode`, to report values the platform sent that the adapter does not know. */
export interface DecodeInfo extends WireInfo {
  /**
   * A new enum value (a new land-use code, a new status): passed through, logged (cut to 64
   * characters), counted; not an error. For codes only: never report a personal value here.
   */
  unknownValue(field: string, value: string): void;
}

/** A platform's answer, as the transport received it. */
export interface WireReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** What an envelope says: the data, or why not. */
export type EnvelopeResult =
  | { ok: true; data: unknown }
  | {
      ok: false;
      /** The gateway code it maps to, e.g. `NOT_FOUND`, or `UPSTREAM_UNAVAILABLE` for a busy code. */
      code: ErrorCode;
      /** The platform's own code, e.g. `99` or `SYSTEM_BUSY` (kept on the error; never its free text). */
      upstreamCode: string;
    };

/** The wire mapping of one operation. */
export interface OperationWire<I = never> {
  request(input: I, info: WireInfo): WireRequest;
  /** Schema of the unwrapped data as the platform sends it; a mismatch is a `CONTRACT` error. */
  data: z.ZodType;
  /**
   * Maps the platform's data (already checked by `data`) to the domain result (checked by the
   * operation's `output`). `input` is the call's validated input, for results that echo it.
   */
  decode(data: never, info: DecodeInfo, input: I): unknown;
}

/**
 * How a profile's bodies travel when they are not JSON (the default): a SOAP profile sends XML.
 * Replies are handed to the profile's `envelope` as the transport read them: a body that is not
 * JSON arrives as its raw text (under the transport's size limit), for the profile to decode.
 */
export interface BodyCodec {
  /** `content-type` of a request that has a body, e.g. `text/xml; charset=utf-8`. */
  contentType: string;
  /** `accept` of every request, e.g. `text/xml`. */
  accept: string;
  /** The text sent for a request's `body`. Throwing is a `CONTRACT` error (the profile failed). */
  encode(body: unknown): string;
  /**
   * Server-error statuses the profile reads itself instead of the gateway deciding alone (SOAP 1.1
   * sends every Fault with HTTP 500). A reply with such a status must be a failure: an envelope
   * that reads it as data is a `CONTRACT` error; one that cannot read it at all leaves the status
   * to decide, as without a codec. @default none
   */
  readsServerErrors?: readonly number[] | undefined;
}

/** A platform's wire profile: its envelope and one mapping per operation. */
export interface WireProfile<Ops extends OperationMap = OperationMap> {
  /** For logs and docs, e.g. `assumed-lgsp-json-v1`. */
  name: string;
  /** The body codec. @default JSON (`application/json` both ways) */
  codec?: BodyCodec | undefined;
  /**
   * Turns a reply (any HTTP status the gateway did not handle itself: 2xx and 4xx other than 401
   * and 429) into data or a typed error. Throwing is read as a `CONTRACT` error.
   */
  envelope(reply: WireReply): EnvelopeResult;
  operations: { [K in keyof Ops]: OperationWire<z.output<Ops[K]['input']>> };
}

/**
 * How an operation declares that it touches a citizen's personal data: `true`, `false`, or a
 * function deciding per validated input.
 */
export type PersonalDataFlag<In extends z.ZodType = z.ZodType> = boolean | ((input: z.output<In>) => boolean);

/** The domain side of one operation. */
export interface OperationSpec<
  In extends z.ZodType = z.ZodType,
  Out extends z.ZodType = z.ZodType,
  P extends boolean = boolean,
> {
  kind: OperationKind;
  /** Checked before anything is sent; a failure is a `VALIDATION` error listing fields and rules. */
  input: In;
  /** The domain result; a mismatch is a `CONTRACT` error. */
  output: Out;
  /**
   * Touches a citizen's personal data: `purpose` and `actor` are required, and the call is audited.
   * A function decides per validated input (e.g. a tax look-up by a 12-digit personal ID, not by an
   * enterprise's code); an input that fails validation counts as personal. A literal `true` also
   * makes the context argument (with `purpose` and `actor`) required at compile time; a function
   * leaves it optional in the types (the run-time check still refuses a missing one). @default false
   */
  personalData?: P | ((input: z.output<In>) => boolean);
  /** The personal ID this call concerns, for the audit trail (stored only as a salted hash). */
  subject?(input: z.output<In>): string | undefined;
  /** The dossier code in the input, if any: sent as `X-Road-Issue`, and a write's default idempotency key. */
  dossierCode?(input: z.output<In>): string | undefined;
  /** The adapter author's defaults for this operation (e.g. how stale a cached answer may be). */
  policy?: OperationPolicyOptions;
  /** One line for docs and the CLI. */
  summary?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: any spec, whatever its input type (function parameters are contravariant)
export type OperationMap = Record<string, OperationSpec<any, any, any>>;

/**
 * Describes an operation; an identity function that keeps the schema types and whether
 * `personalData` is the literal `true` (which makes the call's context required).
 */
export function defineOperation<In extends z.ZodType, Out extends z.ZodType, const P extends boolean = false>(
  spec: OperationSpec<In, Out, P>,
): OperationSpec<In, Out, P> {
  return spec;
}

/** The context of a call on citizen data: `purpose` and `actor` are required. */
export type PersonalDataContext = CallContext & {
  /** The procedure (public-service) code: why the data is needed. */
  purpose: string;
  /** The officer (or system user) making the call; visible ASCII, see {@link CallContext.actor}. */
  actor: string;
};

/** `true` when an operation spec declares `personalData: true` (a literal, not a function). */
export type IsPersonalData<S> = S extends { personalData?: infer P }
  ? [Exclude<P, undefined | ((...args: never[]) => unknown)>] extends [never]
    ? false
    : [Exclude<P, undefined | ((...args: never[]) => unknown)>] extends [true]
      ? true
      : false
  : false;

/** Describes a wire profile; an identity function that checks it covers every operation. */
export function defineProfile<Ops extends OperationMap>(
  _operations: Ops,
  profile: WireProfile<Ops>,
): WireProfile<Ops> {
  return profile;
}

/** Options every adapter takes. */
export interface AdapterOptions<Ops extends OperationMap = OperationMap> {
  /** Root URL under which the platform's paths live, e.g. `https://lgsp.example.gov.vn`. */
  baseUrl: string;
  auth: AuthOptions;
  /** Calling system's X-Road-Client id, e.g. `VN/GOV/000.00.00.H29/hcmc-tthc`. Wins over `createGateway({ client })`. */
  client?: string;
  /** Replaces the adapter's wire profile (another path, another envelope) without forking the adapter. */
  profile?: WireProfile<Ops>;
  /** Overrides of the policy defaults, for this adapter and per operation (keyed by its operation names). */
  policy?: PolicyOptions<keyof Ops & string>;
  /** Replaces the HTTP transport. @default axiosTransport() */
  transport?: Transport;
  /** Request/response hooks of this adapter, run after the gateway's own. @default none */
  hooks?: GatewayHooks;
}

/** The adapter's definition, as given to {@link defineAdapter}. */
export interface AdapterSpec<Ops extends OperationMap = OperationMap> {
  /** Platform name used in logs, metrics and errors when the gateway key is not used. */
  name: string;
  /**
   * The platform's name in Vietnamese for counter staff, used in `userMessage`, e.g.
   * `Hệ thống VNeID`. @default "hệ thống trung ương"
   */
  displayName?: string;
  operations: Ops;
  /** The default wire profile. */
  profile: WireProfile<Ops>;
  /** The adapter's own policy defaults. */
  policy?: PolicyOptions<keyof Ops & string>;
}

const ADAPTER = Symbol.for('vn-national-gateway.Adapter');

/** A configured adapter, ready for `createGateway({ upstreams })`. */
export interface Adapter<Ops extends OperationMap = OperationMap> {
  readonly [ADAPTER]: true;
  readonly spec: AdapterSpec<Ops>;
  readonly options: AdapterOptions<Ops>;
}

/** A function that configures an adapter: `vneid({ baseUrl, auth })`. */
export type AdapterFactory<Ops extends OperationMap> = ((options: AdapterOptions<Ops>) => Adapter<Ops>) & {
  readonly spec: AdapterSpec<Ops>;
};

/**
 * Defines a platform adapter.
 * @example
 * const socialInsurance = defineAdapter({ name: 'bhxh', operations: { lookup }, profile });
 * const gateway = createGateway({ upstreams: { bhxh: socialInsurance({ baseUrl, auth }) } });
 */
export function defineAdapter<Ops extends OperationMap>(spec: AdapterSpec<Ops>): AdapterFactory<Ops> {
  const factory = (options: AdapterOptions<Ops>): Adapter<Ops> => ({ [ADAPTER]: true, spec, options });
  return Object.assign(factory, { spec });
}

export function isAdapter(value: unknown): value is Adapter {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ADAPTER] === true;
}
