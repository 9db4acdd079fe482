/**
 * Named fault scenarios: the situations a city team wants to reproduce in one word, on a laptop
 * (`vn-gateway mock --scenario flaky`) or in CI (`startMockPlatforms({ scenario: 'outage' })`).
 */

import type { Fault } from './faults.js';
import { deepFreeze } from './freeze.js';
import type { MockUpstream } from './types.js';

/** The names of {@link scenarios}. */
export type ScenarioName = 'healthy' | 'flaky' | 'outage' | 'slow' | 'flapping' | 'drift' | 'lying';

/** Faults per platform for one scenario; a platform not listed is healthy. */
export type Scenario = Readonly<Partial<Record<MockUpstream, Readonly<Fault>>>>;

const all = (fault: Fault): Scenario => deepFreeze({ vneid: fault, land: fault, tax: fault });

/**
 * - `healthy`: no faults.
 * - `flaky`: 30% of requests fail, half as HTTP 503, half as the platform's busy code.
 * - `outage`: every platform down (HTTP 503).
 * - `slow`: latency uniform between 500 ms and 2.5 s.
 * - `flapping`: up 5 s, down 5 s (HTTP 503), repeating.
 * - `drift`: success payloads rename a field (`TonTai` → `TonTaiCongDan`, `dienTich` →
 *   `dienTichM2`, `tenNguoiNopThue` → `ten`, …).
 * - `lying`: one read in ten is answered about someone else (another citizen, parcel, certificate,
 *   taxpayer or registration), well formed, with the request's `X-Road-Id` (see the `lie` fault).
 */
export const scenarios: Readonly<Record<ScenarioName, Scenario>> = deepFreeze({
  healthy: {},
  flaky: all({ errorRate: 0.3, errorKind: ['http503', 'busy'] }),
  outage: all({ down: true }),
  slow: all({ latencyMs: { distribution: 'uniform', min: 500, max: 2500 } }),
  flapping: all({ flapping: { upMs: 5000, downMs: 5000 } }),
  drift: all({ drift: true }),
  lying: all({ lie: { rate: 0.1 } }),
});

/** `true` when `name` is a known scenario. */
export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(scenarios, name);
}
