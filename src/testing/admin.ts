/**
 * The mock's admin endpoint, `/__admin/faults`: switches faults while `vn-gateway mock` runs, so a
 * developer can cut a platform off mid-session and bring it back without restarting, which would
 * forget idempotency keys, registrations and tokens. Loopback clients only: it rewrites what the
 * platforms answer, so nobody else on the network may reach it.
 */

import { z } from 'zod';
import { assertFault, type Fault } from './faults.js';
import { isScenarioName, type ScenarioName, scenarios } from './scenarios.js';
import type { MockResponse, MockTarget } from './types.js';

/** The admin endpoint's path on the mock's base URL. */
export const ADMIN_FAULTS_PATH = '/__admin/faults';

const TARGETS: readonly MockTarget[] = ['vneid', 'land', 'tax', 'token'];

/** What the admin endpoint drives: the engine's fault switches. */
export interface FaultAdminControl {
  setFault(target: MockTarget, fault: Fault | undefined): void;
  setScenario(name: ScenarioName): void;
  fault(target: MockTarget): Fault | undefined;
}

/** A request to the admin endpoint, as the HTTP server received it. */
export interface AdminRequest {
  method: string;
  path: string;
  body: string;
  /** The client's address (`req.socket.remoteAddress`). */
  remoteAddress: string | undefined;
}

// The shape only; each fault is checked by assertFault, which names the bad field.
const bodySchema = z.strictObject({
  scenario: z.string().optional(),
  faults: z.partialRecord(z.enum(TARGETS), z.union([z.record(z.string(), z.unknown()), z.null()])).optional(),
});

/** `true` for 127.0.0.0/8 and ::1, plain or IPv4-mapped. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): MockResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  body,
});
const badRequest = (message: string) => json(400, { error: 'Bad Request', message });

function current(control: FaultAdminControl): MockResponse {
  return json(200, { faults: Object.fromEntries(TARGETS.map((t) => [t, control.fault(t) ?? null])) });
}

/** Validates the whole body before touching anything: a bad request changes no fault. */
function apply(control: FaultAdminControl, text: string): MockResponse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return badRequest(
      'The body must be JSON, e.g. {"scenario":"outage"} or {"faults":{"land":{"down":true}}}',
    );
  }
  const parsed = bodySchema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    return badRequest(`Invalid body: ${where}`);
  }
  const { scenario, faults = {} } = parsed.data;
  if (scenario !== undefined && !isScenarioName(scenario)) {
    return badRequest(`Unknown scenario "${scenario}"; expected one of ${Object.keys(scenarios).join(', ')}`);
  }
  for (const [target, fault] of Object.entries(faults)) {
    if (fault === null) continue;
    try {
      assertFault(fault);
    } catch (e) {
      return badRequest(`faults.${target}: ${(e as Error).message}`);
    }
  }
  // The scenario replaces every fault; the per-target faults then override it.
  if (scenario !== undefined) control.setScenario(scenario as ScenarioName);
  for (const [target, fault] of Object.entries(faults)) {
    control.setFault(target as MockTarget, fault === null ? undefined : (fault as Fault));
  }
  return current(control);
}

/**
 * Answers one request under `/__admin/`:
 * - `GET /__admin/faults`: the fault of every target (`null` = healthy);
 * - `POST /__admin/faults` with `{"scenario": "outage"}` and/or `{"faults": {"land": {"down": true},
 *   "tax": null}}`: switches faults (scenario first, then per target; `null` clears), answers like GET;
 * - `DELETE /__admin/faults`: every platform healthy.
 *
 * Idempotency keys, registrations, tokens and the request log are kept. Non-loopback clients get 403.
 */
export function handleFaultAdmin(control: FaultAdminControl, req: AdminRequest): MockResponse {
  if (!isLoopback(req.remoteAddress)) {
    return json(403, { error: 'Forbidden', message: 'The admin endpoint answers loopback clients only' });
  }
  if (req.path !== ADMIN_FAULTS_PATH) {
    return json(404, { error: 'Not Found', message: `Admin endpoints: ${ADMIN_FAULTS_PATH}` });
  }
  switch (req.method) {
    case 'GET':
      return current(control);
    case 'POST':
      return apply(control, req.body);
    case 'DELETE':
      control.setScenario('healthy');
      return current(control);
    default:
      return json(405, { error: 'Method Not Allowed' }, { allow: 'GET, POST, DELETE' });
  }
}
