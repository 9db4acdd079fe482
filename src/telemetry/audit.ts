/**
 * The audit trail required by Law 91/2025/QH15 (personal data protection): for every call that
 * touches a citizen's data, who (`actor`), why (`purpose`), which operation, whose data (a salted
 * hash of the personal ID, never the ID), when and the outcome.
 *
 * Records form a hash chain: each record carries the previous record's hash and its own
 * `hash = sha256(prevHash + canonical JSON of the record without hash)`, so editing, deleting,
 * inserting or reordering records is detected by {@link verifyAuditChain} /
 * {@link verifyAuditRecords}.
 *
 * Limits of a pure hash chain (say them out loud, auditors will ask):
 * - Deleting the **last** record(s) leaves a valid shorter chain. Only an external anchor catches
 *   it: store the `lastHash` that verification returns (or the last record's `hash`) somewhere the
 *   writer of the file cannot change (another system, a signed daily report) and compare later.
 * - The chain is unkeyed: someone who can rewrite the whole file can recompute every hash. The same
 *   external anchor is what defeats that.
 * - One writer per chain: two processes appending to the same file break it (no locking here).
 */

import { createHmac, hash } from 'node:crypto';
import { createReadStream, closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { checkOptionKeys, type OptionKeys } from '../option-keys.js';
import { loadPino } from '../util/lazy-deps.js';

/** What the gateway hands the trail for one call. */
export interface AuditEntry {
  /** When the call happened, epoch milliseconds. */
  time: number;
  /** Who: the officer id. */
  actor: string;
  /** Why: the administrative procedure code. */
  purpose: string;
  /** Which platform, e.g. `vneid`. */
  upstream: string;
  /** Which operation, e.g. `verifyCitizen`. */
  operation: string;
  /** Whose data: the raw personal ID. **Never stored**; the trail stores {@link hashSubject} of it. */
  subject?: string | undefined;
  /** The dossier's administrative code (not personal data; stored as is). */
  dossierCode?: string | undefined;
  /** The caller's `context.correlationId`, to find the call across systems (stored as is). */
  correlationId?: string | undefined;
  /** `'ok' | 'stale' | 'queued'` or an error code such as `'TIMEOUT'`. */
  outcome: string;
  /** The call's request id. */
  requestId: string;
}

/** One stored line of the trail. Key order on disk is fixed (see {@link AUDIT_RECORD_FIELDS}). */
export interface AuditRecord {
  /** 1, 2, 3, … without gaps. */
  seq: number;
  /** ISO 8601 UTC (`Date#toISOString`) of {@link AuditEntry.time}. */
  time: string;
  actor: string;
  purpose: string;
  upstream: string;
  operation: string;
  /** HMAC-SHA256 (hex) of the personal ID with the trail's salt; see {@link hashSubject}. */
  subjectHash?: string | undefined;
  dossierCode?: string | undefined;
  correlationId?: string | undefined;
  outcome: string;
  requestId: string;
  /** The previous record's `hash`; {@link AUDIT_GENESIS_HASH} for the first record. */
  prevHash: string;
  /** sha256 hex of `prevHash + canonical JSON of this record without hash`. */
  hash: string;
}

/** Where records go. `write` is called one record at a time, in `seq` order, never concurrently. */
export interface AuditSink {
  /** Store one record. A rejected promise or a throw puts the trail in a failed state. */
  write(record: AuditRecord): void | Promise<void>;
  /** Optional: make written records durable (e.g. fsync). Called by {@link AuditTrail.flush}. */
  flush?: (() => void | Promise<void>) | undefined;
  /** Optional: release resources. Called once by {@link AuditTrail.close}. */
  close?: (() => void | Promise<void>) | undefined;
}

/** The trail the gateway writes to. */
export interface AuditTrail {
  /**
   * Chains and hands one record to the sink, and returns it (frozen). Synchronous so that calls
   * made back to back are recorded in call order. With the default file sink the line is in the
   * file (OS page cache) when this returns. Throws on an invalid entry, after `close()`, and once a
   * sink write has failed (a gap in an audit trail must be loud, not skipped).
   */
  record(entry: AuditEntry): AuditRecord;
  /** Waits for pending sink writes, then the sink's `flush` (fsync for the file sink). */
  flush(): Promise<void>;
  /** Flushes, then closes the sink. Idempotent. `record()` throws afterwards. */
  close(): Promise<void>;
}

/** The record before the first one of a chain (segment): its `seq` and `hash`. */
export interface AuditAnchor {
  seq: number;
  hash: string;
}

/** Options of {@link createAuditTrail}. */
export interface AuditTrailOptions {
  /**
   * Secret key of {@link hashSubject}, at least 16 bytes (a string counts its UTF-8 bytes). Keep it
   * in a secret store: with it, a 12-digit ID is cheap to brute-force from its hash; without it,
   * auditors can no longer search by ID. Changing it changes every future subject hash.
   */
  salt: string | Buffer;
  /**
   * A JSON-lines file. When it already holds records, the trail continues its `seq` and chain
   * (reading only the file's tail). Without `sink`, records are written there by
   * {@link fileAuditSink}.
   */
  path?: string | undefined;
  /** Where to write instead of `fileAuditSink(path)`. One of `path` or `sink` is required. */
  sink?: AuditSink | undefined;
  /**
   * For sinks the trail cannot read (a database): the last record already stored, so a restarted
   * process continues that chain instead of starting a new one. Not allowed when `path` already
   * holds records (the file is the truth then). Default: a new chain from {@link AUDIT_GENESIS_HASH}.
   */
  continueFrom?: AuditAnchor | undefined;
}

/** Options of {@link fileAuditSink}. */
export interface FileAuditSinkOptions {
  /**
   * fsync after every line, so a record survives a power loss or kernel crash, not only a process
   * crash. Costs a disk round trip per call (sub-ms on local SSD, more on network disks).
   * Default `false`: `flush()`/`close()` fsync instead.
   */
  fsync?: boolean | undefined;
  /** File mode when the file is created. Default `0o640` (the trail is not world-readable). */
  mode?: number | undefined;
}

/** Options of {@link verifyAuditChain} and {@link verifyAuditRecords}. */
export interface VerifyAuditOptions {
  /**
   * Verify a segment that continues an earlier chain (a rotated file, records of a trail created
   * with `continueFrom`): the record just before the first one. Default: the chain starts at
   * `seq` 1 with {@link AUDIT_GENESIS_HASH}.
   */
  after?: AuditAnchor | undefined;
}

/**
 * Result of a verification. `ok: true` gives `lastHash` (the genesis or anchor hash when there are
 * no records): compare it with a copy kept elsewhere to detect deleted trailing records.
 * `ok: false` gives the 1-based `line` (position in the array for {@link verifyAuditRecords}) of
 * the first bad record, how many `records` before it verified, and a `reason`.
 */
export type AuditVerification =
  | { ok: true; records: number; lastHash: string }
  | { ok: false; records: number; line: number; reason: string };

/** `prevHash` of the first record of a chain: 64 zeros. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/**
 * The canonical key order of a record (without `hash`, which is appended last on disk). The hash
 * covers exactly these keys in this order, so it never depends on object insertion order.
 */
export const AUDIT_RECORD_FIELDS = Object.freeze([
  'seq',
  'time',
  'actor',
  'purpose',
  'upstream',
  'operation',
  'subjectHash',
  'dossierCode',
  'correlationId',
  'outcome',
  'requestId',
  'prevHash',
] as const);

const MIN_SALT_BYTES = 16;
/** Longer than any real id or code; keeps lines small enough for the tail read on restart. */
const MAX_FIELD_LENGTH = 1024;
/** Tail read: chunk size and the longest last line we accept (records are < 12 KiB by the cap above). */
const TAIL_CHUNK_BYTES = 4096;
const MAX_LINE_BYTES = 1024 * 1024;
const HEX64 = /^[0-9a-f]{64}$/;
const REQUIRED_TEXT = ['actor', 'purpose', 'upstream', 'operation', 'outcome', 'requestId'] as const;
/** The entry's stored text fields, none of which may contain the raw subject. */
const STORED_TEXT = [...REQUIRED_TEXT, 'dossierCode', 'correlationId'] as const;
/** SHA-256's block size: HMAC pads its key to this many bytes (or hashes a longer key first). */
const SHA256_BLOCK_BYTES = 64;
const SHA256_BYTES = 32;
/** The longest subject in UTF-8: {@link MAX_FIELD_LENGTH} UTF-16 code units of at most 3 bytes each. */
const MAX_SUBJECT_BYTES = MAX_FIELD_LENGTH * 3;
/** The range of a JavaScript `Date`: `new Date(t)` is invalid beyond ±8.64e15 ms. */
const MAX_TIME_MS = 8.64e15;
const DAY_MS = 86_400_000;
/** `'00'`…`'99'` and `'000'`…`'999'`, for the time of day of a record. */
const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/**
 * A string `JSON.stringify` writes as is between quotes: no `"`, backslash, control character or UTF-16
 * surrogate (a lone one is escaped; a pair is left to `JSON.stringify` too, for simplicity).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const PLAIN_JSON_STRING = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
const KNOWN_KEYS: ReadonlySet<string> = new Set<string>([...AUDIT_RECORD_FIELDS, 'hash']);

/**
 * HMAC-SHA256 of `personalId` (its exact UTF-8 bytes; pass the normalised 12-digit form) keyed by
 * `salt`, as 64 hex characters. Not truncated: 32 bytes are cheap next to the rest of a record, and
 * full length keeps collisions out of the question when auditors search a large trail. Same salt +
 * same ID → same hash, so an auditor searches by hashing a known ID.
 * @throws TypeError when `salt` is shorter than 16 bytes or `personalId` is empty.
 */
export function hashSubject(salt: string | Buffer, personalId: string): string {
  const key = checkSalt(salt);
  if (typeof personalId !== 'string' || personalId.length === 0) {
    throw new TypeError('hashSubject: personalId must be a non-empty string');
  }
  return createHmac('sha256', key).update(personalId, 'utf8').digest('hex');
}

const FILE_SINK_KEYS: OptionKeys<FileAuditSinkOptions> = { fsync: true, mode: true };
const TRAIL_KEYS: OptionKeys<AuditTrailOptions> = { salt: true, path: true, sink: true, continueFrom: true };

/**
 * A sink that appends JSON lines to `path` through `pino.destination` (sonic-boom), creating
 * missing directories. Lines are our canonical JSON, not pino log objects (a logger would add its
 * own fields and key order).
 *
 * **Synchronous** destination (`sync: true`), on purpose: each line is handed to the kernel
 * (`writeSync`) before `record()` returns, so a crash of the process (OOM, SIGKILL, a fatal
 * exception) cannot lose audit lines of calls that already happened. An async destination would
 * buffer them in memory. The price is one small `writeSync` per call, microseconds against a call
 * to a central platform that takes tens to hundreds of milliseconds. Power-loss durability needs
 * `fsync: true` (or periodic `flush()`).
 *
 * A write error is thrown from `write` and every later `write` (the trail then refuses records).
 */
export function fileAuditSink(path: string, options: FileAuditSinkOptions = {}): AuditSink {
  checkOptionKeys('fileAuditSink', options, FILE_SINK_KEYS);
  const dest = loadPino().destination({
    dest: path,
    sync: true,
    append: true, // never truncate an existing trail
    mkdir: true,
    fsync: options.fsync ?? false,
    mode: options.mode ?? 0o640,
  });
  let failure: Error | undefined;
  // Without a listener, sonic-boom errors would be thrown from odd places or crash the process;
  // keep the first one and surface it on the next call instead.
  dest.on('error', (err: Error) => {
    failure ??= err;
  });
  let closed: Promise<void> | undefined;
  const check = () => {
    if (failure) throw new Error(`audit file ${path}: write failed: ${failure.message}`, { cause: failure });
  };
  return {
    write(record) {
      check();
      if (closed) throw new Error(`audit file ${path}: sink is closed`);
      dest.write(`${serializeAuditRecord(record)}\n`);
      check(); // sync mode reports a failed writeSync through the 'error' event
    },
    flush() {
      check();
      if (!closed) dest.flushSync(); // writes anything left and fsyncs
    },
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        dest.once('close', () => resolve());
        dest.once('error', reject);
        dest.end(); // fsync + close
      });
      return closed;
    },
  };
}

/**
 * Creates the trail. With `path`, an existing file is continued: its last line is read (from the
 * end of the file, not the whole file), checked against its own hash, and the next record gets
 * `seq + 1` and `prevHash = its hash`. A corrupt, incomplete or altered last line throws instead of
 * silently starting a new chain; run {@link verifyAuditChain} and repair the file first. The rest
 * of the file is not re-verified here (that is O(file)); verify it on a schedule.
 * @throws TypeError on a salt shorter than 16 bytes, neither `path` nor `sink`, or a bad `continueFrom`.
 * @throws Error when the existing file's last line cannot be continued.
 */
export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  checkOptionKeys('createAuditTrail', options, TRAIL_KEYS);
  // Key material derived once, from a copy: the caller mutating their Buffer later must not change
  // hashes mid-trail.
  const hashOf = subjectHasher(Buffer.from(checkSalt(options.salt)));
  const isoTime = isoTimeOfDay();
  const { path, continueFrom } = options;
  if (path === undefined && options.sink === undefined) {
    throw new TypeError('createAuditTrail: give a path or a sink');
  }
  let seq = 0;
  let prevHash = AUDIT_GENESIS_HASH;
  const last = path === undefined ? undefined : readLastRecord(path);
  if (last && continueFrom) {
    throw new TypeError(`createAuditTrail: continueFrom is only for an empty store, but ${path} has records`);
  }
  if (last) {
    seq = last.seq;
    prevHash = last.hash;
  } else if (continueFrom) {
    if (!Number.isSafeInteger(continueFrom.seq) || continueFrom.seq < 0 || !HEX64.test(continueFrom.hash)) {
      throw new TypeError('createAuditTrail: continueFrom needs an integer seq >= 0 and a 64-hex hash');
    }
    seq = continueFrom.seq;
    prevHash = continueFrom.hash;
  }
  const sink = options.sink ?? fileAuditSink(path as string);

  // Write queue: a sync sink is written inside record(); an async one is written after the
  // previous write settles, so records reach it in seq order and never overlap.
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  let failure: unknown;
  let closing: Promise<void> | undefined;

  const fail = (err: unknown) => {
    failure ??= err;
  };
  const track = (p: Promise<void>) => {
    pending++;
    tail = p.then(
      () => {
        pending--;
      },
      (err: unknown) => {
        pending--;
        fail(err);
      },
    );
  };
  const failedError = () =>
    new Error('audit trail: a sink write failed; records after it are refused (recreate the trail)', {
      cause: failure,
    });

  return {
    record(entry) {
      if (closing) throw new Error('audit trail: closed');
      if (failure !== undefined) throw failedError();
      const record = buildRecord(entry, hashOf, isoTime, seq + 1, prevHash);
      // Advance before writing: a failed write fails the trail, so a reused seq can never appear.
      seq = record.seq;
      prevHash = record.hash;
      if (pending === 0) {
        let result: void | Promise<void>;
        try {
          result = sink.write(record);
        } catch (err) {
          fail(err);
          throw failedError();
        }
        if (isPromiseLike(result)) track(Promise.resolve(result));
      } else {
        track(
          tail.then(() => {
            if (failure !== undefined) throw failure; // never write past a gap
            return sink.write(record);
          }),
        );
      }
      return record;
    },
    async flush() {
      await tail;
      if (failure !== undefined) throw failedError();
      await sink.flush?.();
    },
    close() {
      closing ??= (async () => {
        await tail;
        try {
          if (failure === undefined) await sink.flush?.();
        } finally {
          await sink.close?.();
        }
        if (failure !== undefined) throw failedError();
      })();
      return closing;
    },
  };
}

/**
 * Verifies a JSON-lines trail file, streaming (constant memory). Detects an edited field (hash
 * mismatch at that line), a deleted, inserted or moved line (seq/prevHash mismatch at the first
 * line after it), an empty or non-JSON line, unknown fields, and a truncated last line (a file
 * that does not end with a newline: a crash mid-write or a cut). It **cannot** detect that whole
 * trailing lines were deleted: compare the returned `lastHash` with one anchored elsewhere.
 * @throws when the file cannot be read (e.g. ENOENT); tampering is reported, not thrown.
 */
export async function verifyAuditChain(
  path: string,
  options: VerifyAuditOptions = {},
): Promise<AuditVerification> {
  const verifier = new ChainVerifier(options.after);
  let rest: Buffer = Buffer.alloc(0);
  let line = 0;
  for await (const chunk of createReadStream(path)) {
    let data: Buffer = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let nl = data.indexOf(0x0a);
    while (nl !== -1) {
      line++;
      const failure = verifier.pushLine(data.subarray(0, nl).toString('utf8'), line);
      if (failure) return failure; // leaving the loop destroys the stream
      data = data.subarray(nl + 1);
      nl = data.indexOf(0x0a);
    }
    rest = data;
  }
  if (rest.length > 0) {
    return {
      ok: false,
      records: verifier.records,
      line: line + 1,
      reason: 'incomplete last line (no trailing newline): truncated or partially written',
    };
  }
  return verifier.result();
}

/**
 * The same checks as {@link verifyAuditChain} over records already in memory (for other sinks: a
 * database, a queue). Pure. `line` in a failure is the 1-based position in `records`.
 */
export function verifyAuditRecords(
  records: readonly AuditRecord[],
  options: VerifyAuditOptions = {},
): AuditVerification {
  const verifier = new ChainVerifier(options.after);
  for (let i = 0; i < records.length; i++) {
    const failure = verifier.push(records[i], i + 1);
    if (failure) return failure;
  }
  return verifier.result();
}

/**
 * The same record placed at `seq` after `prevHash`, its `hash` recomputed: for a shared store
 * (PostgreSQL) that assigns the chain position inside its own transaction.
 */
export function rechainAuditRecord(record: AuditRecord, seq: number, prevHash: string): AuditRecord {
  const placed = { ...record, seq, prevHash, hash: '' };
  placed.hash = chainHash(placed);
  return Object.freeze(placed);
}

/** One record as a JSON line (without the newline): canonical key order, `hash` last. */
function serializeAuditRecord(record: AuditRecord): string {
  return JSON.stringify(canonicalObject(record, true));
}

function canonicalObject(record: AuditRecord, withHash: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of AUDIT_RECORD_FIELDS) {
    if (record[key] !== undefined) out[key] = record[key];
  }
  if (withHash) out.hash = record.hash;
  return out;
}

/** sha256 hex of `prevHash + canonical JSON of the record without hash` (UTF-8). */
function chainHash(record: AuditRecord): string {
  return hash('sha256', record.prevHash + JSON.stringify(canonicalObject(record, false)));
}

/**
 * {@link hashSubject} with one salt, for a trail's every record: HMAC-SHA256 computed by its
 * definition (RFC 2104), `sha256((K ⊕ opad) ‖ sha256((K ⊕ ipad) ‖ subject))`, with the two padded
 * key blocks prepared once instead of per record (`createHmac` imports the key and builds a
 * stream object on every call, most of an audit record's cost). Same result as
 * `createHmac('sha256', salt).update(subject, 'utf8').digest('hex')` (tested). The subject must be
 * at most {@link MAX_FIELD_LENGTH} characters (checked before); its bytes are zeroed after use, so
 * the buffer reused from record to record never holds a personal ID between calls.
 */
function subjectHasher(salt: Buffer): (subject: string) => string {
  const key = salt.length > SHA256_BLOCK_BYTES ? hash('sha256', salt, 'buffer') : salt;
  const inner = Buffer.alloc(SHA256_BLOCK_BYTES + MAX_SUBJECT_BYTES);
  const outer = Buffer.alloc(SHA256_BLOCK_BYTES + SHA256_BYTES);
  for (let i = 0; i < SHA256_BLOCK_BYTES; i++) {
    const k = i < key.length ? (key[i] as number) : 0;
    inner[i] = k ^ 0x36;
    outer[i] = k ^ 0x5c;
  }
  return (subject) => {
    const end = SHA256_BLOCK_BYTES + inner.write(subject, SHA256_BLOCK_BYTES, 'utf8');
    // The inner digest as a latin1 ('binary') string, one char per byte, costs less than as a Buffer.
    outer.write(hash('sha256', inner.subarray(0, end), 'binary'), SHA256_BLOCK_BYTES, 'latin1');
    inner.fill(0, SHA256_BLOCK_BYTES, end);
    return hash('sha256', outer, 'hex');
  };
}

function checkSalt(salt: string | Buffer): Buffer {
  const bytes =
    typeof salt === 'string' ? Buffer.from(salt, 'utf8') : Buffer.isBuffer(salt) ? salt : undefined;
  if (bytes === undefined) throw new TypeError('audit salt must be a string or a Buffer');
  if (bytes.length < MIN_SALT_BYTES) {
    // The salt is a secret: say its size, never its value.
    throw new TypeError(`audit salt must be at least ${MIN_SALT_BYTES} bytes (got ${bytes.length})`);
  }
  return bytes;
}

/**
 * `new Date(time).toISOString()` for a trail's records, whose times are mostly of the same UTC day:
 * that day's `YYYY-MM-DDT` is kept and the time of day written from tables (toISOString builds a
 * Date and formats every field per call). Any other time (another day, a fractional millisecond,
 * a year outside 0000–9999) goes through `toISOString` itself. `time` must be valid (checked before).
 */
function isoTimeOfDay(): (time: number) => string {
  let dayStart = Number.NaN;
  let prefix = '';
  return (time) => {
    let ms = time - dayStart;
    if (ms >= 0 && ms < DAY_MS && Number.isInteger(time)) {
      const h = Math.floor(ms / 3_600_000);
      ms -= h * 3_600_000;
      const m = Math.floor(ms / 60_000);
      ms -= m * 60_000;
      const sec = Math.floor(ms / 1000);
      return `${prefix}${PAD2[h]}:${PAD2[m]}:${PAD2[sec]}.${PAD3[ms - sec * 1000]}Z`;
    }
    const iso = new Date(time).toISOString();
    if (Number.isInteger(time) && iso.length === 24) {
      dayStart = time - (((time % DAY_MS) + DAY_MS) % DAY_MS);
      prefix = iso.slice(0, 11);
    }
    return iso;
  };
}

/** `JSON.stringify(text)` for a string, without its per-call work when nothing needs escaping. */
function jsonString(text: string): string {
  return PLAIN_JSON_STRING.test(text) ? `"${text}"` : JSON.stringify(text);
}

function buildRecord(
  entry: AuditEntry,
  hashOf: (subject: string) => string,
  isoTime: (time: number) => string,
  seq: number,
  prevHash: string,
): AuditRecord {
  // Messages name fields, never values: a value might be the personal ID put in the wrong field.
  if (typeof entry !== 'object' || entry === null) throw new TypeError('audit entry must be an object');
  const time = entry.time;
  // Exactly the times `new Date(time)` accepts (finite, within ±8.64e15 ms).
  if (typeof time !== 'number' || !(Math.abs(time) <= MAX_TIME_MS)) {
    throw new TypeError('audit entry: time must be epoch milliseconds');
  }
  for (const key of REQUIRED_TEXT) checkText(entry[key], key);
  const { dossierCode, correlationId } = entry;
  if (dossierCode !== undefined) checkText(dossierCode, 'dossierCode');
  if (correlationId !== undefined) checkText(correlationId, 'correlationId');
  let subjectHash: string | undefined;
  const subject = entry.subject;
  if (subject !== undefined) {
    checkText(subject, 'subject');
    // The raw ID must not reach the trail through another field either (e.g. a request id built from it).
    for (const key of STORED_TEXT) {
      if (entry[key]?.includes(subject)) {
        throw new TypeError(`audit entry: ${key} contains the subject's personal ID; it must not be stored`);
      }
    }
    subjectHash = hashOf(subject);
  }
  const record = {
    seq,
    time: isoTime(time),
    actor: entry.actor,
    purpose: entry.purpose,
    upstream: entry.upstream,
    operation: entry.operation,
  } as AuditRecord;
  // The canonical JSON the hash covers (AUDIT_RECORD_FIELDS order, absent fields left out), written
  // directly: the same text as JSON.stringify(canonicalObject(record, false)) (tested), without
  // building that object. seq is an integer, time, subjectHash and prevHash need no escaping.
  let json = `{"seq":${seq},"time":"${record.time}","actor":${jsonString(record.actor)},"purpose":${jsonString(record.purpose)},"upstream":${jsonString(record.upstream)},"operation":${jsonString(record.operation)}`;
  if (subjectHash !== undefined) {
    record.subjectHash = subjectHash;
    json += `,"subjectHash":"${subjectHash}"`;
  }
  if (dossierCode !== undefined) {
    record.dossierCode = dossierCode;
    json += `,"dossierCode":${jsonString(dossierCode)}`;
  }
  if (correlationId !== undefined) {
    record.correlationId = correlationId;
    json += `,"correlationId":${jsonString(correlationId)}`;
  }
  record.outcome = entry.outcome;
  record.requestId = entry.requestId;
  record.prevHash = prevHash;
  json += `,"outcome":${jsonString(record.outcome)},"requestId":${jsonString(record.requestId)},"prevHash":"${prevHash}"}`;
  record.hash = hash('sha256', prevHash + json);
  // Frozen: an async sink writes it later, and the caller must not be able to change it meanwhile.
  return Object.freeze(record);
}

function checkText(value: unknown, key: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_FIELD_LENGTH) {
    throw new TypeError(
      `audit entry: ${key} must be a non-empty string of at most ${MAX_FIELD_LENGTH} characters`,
    );
  }
}

/** Why `value` is not a well-formed stored record, or undefined when it is. */
function shapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const r = value as Record<string, unknown>;
  // Unknown keys are not covered by the hash, so they would be undetectable additions.
  for (const key of Object.keys(r)) if (!KNOWN_KEYS.has(key)) return `unexpected field "${key}"`;
  if (typeof r.seq !== 'number' || !Number.isSafeInteger(r.seq) || r.seq < 1)
    return 'seq must be an integer >= 1';
  if (typeof r.time !== 'string' || !isCanonicalIso(r.time)) return 'time must be an ISO 8601 UTC timestamp';
  for (const key of REQUIRED_TEXT) {
    if (typeof r[key] !== 'string' || r[key] === '') return `${key} must be a non-empty string`;
  }
  if (r.subjectHash !== undefined && (typeof r.subjectHash !== 'string' || !HEX64.test(r.subjectHash))) {
    return 'subjectHash must be 64 hex characters';
  }
  if (r.dossierCode !== undefined && (typeof r.dossierCode !== 'string' || r.dossierCode === '')) {
    return 'dossierCode must be a non-empty string';
  }
  if (r.correlationId !== undefined && (typeof r.correlationId !== 'string' || r.correlationId === '')) {
    return 'correlationId must be a non-empty string';
  }
  if (typeof r.prevHash !== 'string' || !HEX64.test(r.prevHash)) return 'prevHash must be 64 hex characters';
  if (typeof r.hash !== 'string' || !HEX64.test(r.hash)) return 'hash must be 64 hex characters';
  return undefined;
}

function isCanonicalIso(s: string): boolean {
  const d = new Date(s);
  return !Number.isNaN(d.getTime()) && d.toISOString() === s;
}

/** Incremental chain check shared by the file and the in-memory verifiers. */
class ChainVerifier {
  records = 0;
  private expectedSeq: number;
  private lastHash: string;

  constructor(after: AuditAnchor | undefined) {
    this.expectedSeq = (after?.seq ?? 0) + 1;
    this.lastHash = after?.hash ?? AUDIT_GENESIS_HASH;
  }

  pushLine(text: string, line: number): AuditVerification | undefined {
    if (text.length === 0) return this.failAt(line, 'empty line');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.failAt(line, 'not valid JSON (corrupt or truncated line)');
    }
    return this.push(value, line);
  }

  push(value: unknown, line: number): AuditVerification | undefined {
    const problem = shapeProblem(value);
    if (problem) return this.failAt(line, problem);
    const record = value as AuditRecord;
    if (record.seq !== this.expectedSeq) {
      return this.failAt(
        line,
        `seq is ${record.seq}, expected ${this.expectedSeq} (record deleted, inserted or moved)`,
      );
    }
    if (record.prevHash !== this.lastHash) {
      return this.failAt(line, "prevHash does not match the previous record's hash (chain broken)");
    }
    if (chainHash(record) !== record.hash) {
      return this.failAt(line, 'hash does not match the record content (record altered)');
    }
    this.records++;
    this.expectedSeq++;
    this.lastHash = record.hash;
    return undefined;
  }

  result(): AuditVerification {
    return { ok: true, records: this.records, lastHash: this.lastHash };
  }

  private failAt(line: number, reason: string): AuditVerification {
    return { ok: false, records: this.records, line, reason };
  }
}

/**
 * The last record of a trail file, read from the end of the file in chunks; undefined when the
 * file does not exist or is empty. Throws when the last line is incomplete, corrupt or altered.
 */
function readLastRecord(path: string): AuditRecord | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const refuse = (why: string): never => {
    throw new Error(
      `audit trail ${path}: cannot continue the chain: ${why}. Run verifyAuditChain and repair the file; ` +
        'a new chain is not started silently',
    );
  };
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return undefined;
    const lastByte = Buffer.alloc(1);
    readSync(fd, lastByte, 0, 1, size - 1);
    if (lastByte[0] !== 0x0a)
      refuse('the last line has no trailing newline (truncated or partially written)');
    // Walk back from just before the final newline until the previous newline or the file start.
    const end = size - 1;
    const chunks: Buffer[] = [];
    let pos = end;
    let start = -1;
    while (pos > 0 && start === -1) {
      const from = Math.max(0, pos - TAIL_CHUNK_BYTES);
      const chunk = Buffer.alloc(pos - from);
      readSync(fd, chunk, 0, chunk.length, from);
      const nl = chunk.lastIndexOf(0x0a);
      if (nl !== -1) {
        chunks.unshift(chunk.subarray(nl + 1));
        start = from + nl + 1;
      } else {
        chunks.unshift(chunk);
        if (from === 0) start = 0;
      }
      pos = from;
      if (end - pos > MAX_LINE_BYTES) refuse(`the last line is longer than ${MAX_LINE_BYTES} bytes`);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.length === 0) refuse('the last line is empty');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      refuse('the last line is not valid JSON (corrupt or truncated)');
    }
    const problem = shapeProblem(value);
    if (problem) refuse(`the last line is not an audit record: ${problem}`);
    const record = value as AuditRecord;
    if (chainHash(record) !== record.hash) refuse('the last record does not match its own hash (altered)');
    return record;
  } finally {
    closeSync(fd);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<void> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
