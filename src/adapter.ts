/**
 * The public API for describing a national platform: `defineOperation` (domain: schemas, kind,
 * personal data) and `defineAdapter` (a set of operations plus the wire `profile` that maps them
 * to one platform's paths, field names and envelope). The built-in adapters use exactly this API;
 * so can a city team adding a fourth platform.
 */
import type { z } from 'zod';
import type { ErrorCode } from './errors.js';
import { checkOptionKeys, type OptionKeys } from './option-keys.js';
import type { FieldLabels } from './pipeline/field-labels.js';
import { checkProfile } from './pipeline/identity.js';
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
  query?: Record<string, string | number | undefined> | undefined;
  body?: unknown;
  /** Extra headers (the X-Road headers, auth and idempotency are added by the gateway). */
  headers?: Record<string, string> | undefined;
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

/**
 * One field that says what a reply is about, compared with what the request asked: for example
 * the personal ID of a citizen's profile, or the tax code of a taxpayer. Codec-neutral: both
 * sides are read by functions (from the validated input and from the platform's data as `data`
 * parsed it, JSON or SOAP alike). Both values are compared as text: a number is written in
 * decimal, a string is trimmed; then `ignoreCase`, then `normalize` on each side, then `same`.
 */
export interface IdentityField<I = never> {
  /** The reply field's name, for the error and the logs (never its value), e.g. `SoDinhDanh`. */
  field: string;
  /** The value the call asked about, from the validated input. `undefined`: nothing to compare. */
  asked(input: I): unknown;
  /** The value the reply says it is about, from the platform's data (already checked by `data`). */
  answered(data: never): unknown;
  /** Compare without regard to letter case, where the contract says the code is case-blind. @default false */
  ignoreCase?: boolean | undefined;
  /**
   * The canonical form of a value (e.g. a branch tax code with its dash); `undefined` when the
   * value is not a valid identifier at all, which never matches. @default the trimmed text
   */
  normalize?: ((value: string) => string | undefined) | undefined;
  /**
   * Whether the reply's value is the one asked, once normalised (e.g. the registry answering with
   * the current commune of a pre-2025 code). @default equality
   */
  same?: ((asked: string, answered: string) => boolean) | undefined;
  /**
   * Compared only when the reply carries it (a reply without it passes): for a field the contract
   * does not promise but a platform may echo. Otherwise a reply without it is a `CONTRACT` error.
   * @default false
   */
  optional?: boolean | undefined;
}

/**
 * What identifies a reply: a non-empty list of {@link IdentityField}s, all of which must agree with
 * the request, or `{ none: reason }` for an operation whose reply carries nothing that could (the
 * reason is for reviewers and docs, e.g. "the reply is three booleans"). Every profile operation
 * declares one or the other: a reply about someone else is the worst answer a platform can give.
 */
export type ReplyIdentity<I = never> = readonly IdentityField<I>[] | { readonly none: string };

/** The wire mapping of one operation. */
export interface OperationWire<I = never> {
  request(input: I, info: WireInfo): WireRequest;
  /** Schema of the unwrapped data as the platform sends it; a mismatch is a `CONTRACT` error. */
  data: z.ZodType;
  /**
   * What the reply must be about, checked against the request after `data` and before `decode`.
   * A reply about anything else (another citizen, parcel, taxpayer, registration) is a `CONTRACT`
   * error: not retried, not cached, never answered with a stale value instead, counted, and logged
   * with the field names only.
   */
  identity: ReplyIdentity<I>;
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
  K extends OperationKind = OperationKind,
> {
  /** `read` or `write`; kept as a literal by {@link defineOperation} (only a write can be queued). */
  kind: K;
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
  personalData?: P | ((input: z.output<In>) => boolean) | undefined;
  /** The personal ID this call concerns, for the audit trail (stored only as a salted hash). */
  subject?: ((input: z.output<In>) => string | undefined) | undefined;
  /** The dossier code in the input, if any: sent as `X-Road-Issue`, and a write's default idempotency key. */
  dossierCode?: ((input: z.output<In>) => string | undefined) | undefined;
  /** The adapter author's defaults for this operation (e.g. how stale a cached answer may be). */
  policy?: OperationPolicyOptions | undefined;
  /** One line for docs and the CLI. */
  summary?: string | undefined;
  /**
   * Vietnamese labels of this operation's input fields, for the `userMessage` of a `VALIDATION`
   * error; they win over the adapter's `labels`. @default the adapter's labels
   */
  labels?: FieldLabels | undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: any spec, whatever its input type (function parameters are contravariant)
export type OperationMap = Record<string, OperationSpec<any, any, any>>;

/**
 * Describes an operation; an identity function that keeps the schema types and whether
 * `personalData` is the literal `true` (which makes the call's context required).
 */
export function defineOperation<
  In extends z.ZodType,
  Out extends z.ZodType,
  const P extends boolean = false,
  const K extends OperationKind = OperationKind,
>(spec: OperationSpec<In, Out, P, K>): OperationSpec<In, Out, P, K> {
  checkOptionKeys('defineOperation', spec, OPERATION_SPEC_KEYS);
  return spec;
}

const OPERATION_SPEC_KEYS: OptionKeys<OperationSpec> = {
  kind: true,
  input: true,
  output: true,
  personalData: true,
  subject: true,
  dossierCode: true,
  policy: true,
  summary: true,
  labels: true,
};

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

/**
 * Describes a wire profile; checks that it maps every operation and that each mapping declares its
 * reply identity (a list of fields, or `{ none: reason }`), else throws a `ConfigurationError`.
 */
export function defineProfile<Ops extends OperationMap>(
  operations: Ops,
  profile: WireProfile<Ops>,
): WireProfile<Ops> {
  checkProfile(profile as unknown as WireProfile, Object.keys(operations), `profile ${profile?.name}`);
  return profile;
}

/** Options every adapter takes. */
export interface AdapterOptions<Ops extends OperationMap = OperationMap> {
  /** Root URL under which the platform's paths live, e.g. `https://lgsp.example.gov.vn`. */
  baseUrl: string;
  auth: AuthOptions;
  /** Calling system's X-Road-Client id, e.g. `VN/GOV/000.00.00.H29/hcmc-tthc`. Wins over `createGateway({ client })`. */
  client?: string | undefined;
  /** Replaces the adapter's wire profile (another path, another envelope) without forking the adapter. */
  profile?: WireProfile<Ops> | undefined;
  /** Overrides of the policy defaults, for this adapter and per operation (keyed by its operation names). */
  policy?: PolicyOptions<keyof Ops & string> | undefined;
  /** Replaces the HTTP transport. @default axiosTransport() */
  transport?: Transport | undefined;
  /** Request/response hooks of this adapter, run after the gateway's own. @default none */
  hooks?: GatewayHooks | undefined;
}

/** The adapter's definition, as given to {@link defineAdapter}. */
export interface AdapterSpec<Ops extends OperationMap = OperationMap> {
  /** Platform name used in logs, metrics and errors when the gateway key is not used. */
  name: string;
  /**
   * The platform's name in Vietnamese for counter staff, used in `userMessage`, e.g.
   * `Hệ thống VNeID`. @default "hệ thống trung ương"
   */
  displayName?: string | undefined;
  operations: Ops;
  /** The default wire profile. */
  profile: WireProfile<Ops>;
  /** The adapter's own policy defaults. */
  policy?: PolicyOptions<keyof Ops & string> | undefined;
  /**
   * Vietnamese labels of the operations' input fields ("số định danh cá nhân" for `personalId`),
   * by path or field name, for the `userMessage` of a `VALIDATION` error. A field without one is
   * called "một trường thông tin". @default none
   * @example labels: { insuranceCode: { label: 'mã số bảo hiểm xã hội', rule: 'phải gồm 10 chữ số' } }
   */
  labels?: FieldLabels | undefined;
}

const ADAPTER_SPEC_KEYS: OptionKeys<AdapterSpec> = {
  name: true,
  displayName: true,
  operations: true,
  profile: true,
  policy: true,
  labels: true,
};

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
  checkOptionKeys('defineAdapter', spec, ADAPTER_SPEC_KEYS);
  const factory = (options: AdapterOptions<Ops>): Adapter<Ops> => ({ [ADAPTER]: true, spec, options });
  return Object.assign(factory, { spec });
}

export function isAdapter(value: unknown): value is Adapter {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ADAPTER] === true;
}
