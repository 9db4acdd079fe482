/**
 * The day's workload: a seeded plan of dossiers (who comes, when, for what), and the runner that
 * plays each dossier as a small flow of gateway calls at its arrival time, as an officer at a
 * counter would. Everything random is drawn from the seed at planning time.
 */
import type {
  GetCitizenProfileInput,
  GetParcelInput,
  LookupTaxCodeInput,
  RegisterTaxpayerInput,
  SubmitRegistrationInput,
  VerifyCertificateInput,
  VerifyCitizenInput,
} from '../../adapters/index.js';
import type { CallResult } from '../call.js';
import { isGatewayError } from '../errors.js';
import type { CitizenFixture, MockFixtures } from '../testing/fixtures.js';
import type { DemoGateway } from './gateway.js';
import { STREETS } from './population.js';
import { Rng } from './random.js';
import type { DemoStats } from './stats.js';

/** The ward whose public-service centre the demo replays (Phường Cầu Kiệu). */
export const CENTRE_WARD = '27058';

/** What a dossier is for; each kind is one procedure with its own code (the calls' `purpose`). */
export const DOSSIER_KINDS = {
  'land-transfer': { procedure: '1.004227', share: 0.4, label: 'land change registration' },
  'household-business': { procedure: '1.001612', share: 0.3, label: 'household business tax registration' },
  'tax-confirmation': { procedure: '2.000889', share: 0.2, label: 'taxpayer confirmation' },
  'certificate-check': { procedure: '1.004222', share: 0.1, label: 'land certificate check' },
} as const;
export type DossierKind = keyof typeof DOSSIER_KINDS;

interface CallInputs {
  'vneid.verifyCitizen': VerifyCitizenInput;
  'vneid.getCitizenProfile': GetCitizenProfileInput;
  'land.getParcel': GetParcelInput;
  'land.verifyCertificate': VerifyCertificateInput;
  'land.submitRegistration': SubmitRegistrationInput;
  'tax.lookupTaxCode': LookupTaxCodeInput;
  'tax.registerTaxpayer': RegisterTaxpayerInput;
}
export type CallName = keyof CallInputs;
/** One gateway call of a dossier's flow. */
export type Step = { [K in CallName]: { call: K; input: CallInputs[K] } }[CallName];

/** A dossier as planned: arrival (fraction of the day), procedure, officer, visitor and calls. */
export interface DossierPlan {
  seq: number;
  /** `HS-27058-000123`: the dossier code, and the idempotency key of its write. */
  code: string;
  kind: DossierKind;
  /** Arrival as a fraction of the day, in [0, 0.93]. */
  at: number;
  actor: string;
  /** The visitor had an earlier dossier today (VNeID's answer may be cached). */
  repeatVisitor: boolean;
  steps: Step[];
}

const OFFICERS = 8;
const CHANGE_TYPES = ['CHUYEN_NHUONG', 'TANG_CHO', 'THUA_KE', 'THE_CHAP'];
const BUSINESS_LINES = [
  '4711 Bán lẻ lương thực, thực phẩm',
  '5610 Nhà hàng và dịch vụ ăn uống',
  '9631 Cắt tóc, làm đầu, gội đầu',
  '4772 Bán lẻ thuốc, dụng cụ y tế',
  '4752 Bán lẻ đồ ngũ kim',
];
/** Share of visitors who already came earlier in the day. */
const REPEAT_SHARE = 0.3;
/** Last arrival, as a fraction of the day, so the last flows end before closing time. */
const LAST_ARRIVAL = 0.93;

/** Arrivals per unit of the day: a morning peak, a milder afternoon one. */
function arrivalDensity(x: number): number {
  const bump = (c: number, w: number) => Math.exp(-(((x - c) / w) ** 2));
  return 1 + 0.8 * bump(0.2, 0.12) + 0.5 * bump(0.72, 0.12);
}

function arrivals(rng: Rng, n: number): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const x = rng.float() * LAST_ARRIVAL;
    if (rng.float() * 1.8 <= arrivalDensity(x)) out.push(x);
  }
  return out.sort((a, b) => a - b);
}

function pickKind(rng: Rng): DossierKind {
  let u = rng.float();
  for (const [kind, k] of Object.entries(DOSSIER_KINDS)) {
    u -= k.share;
    if (u < 0) return kind as DossierKind;
  }
  return 'land-transfer';
}

/** Plans `dossiers` dossiers from the seed; `people` are the visitors who may come, in order. */
export function planDay(seed: number, dossiers: number, people: readonly CitizenFixture[], fx: MockFixtures) {
  const times = arrivals(new Rng(seed, 'arrivals'), dossiers);
  const rng = new Rng(seed, 'dossiers');
  const seen: CitizenFixture[] = [];
  let nextNew = 0;
  const taxCodes = [
    ...fx.enterprises.flatMap((e) => [e.taxCode, ...e.branches.map((b) => b.taxCode)]),
    ...fx.individualTaxpayers.map((t) => t.taxCode),
  ];
  const plans: DossierPlan[] = [];
  for (let i = 0; i < dossiers; i++) {
    const seq = i + 1;
    const code = `HS-${CENTRE_WARD}-${String(seq).padStart(6, '0')}`;
    const kind = pickKind(rng);
    const repeatVisitor = seen.length > 0 && (nextNew >= people.length || rng.chance(REPEAT_SHARE));
    const person = repeatVisitor ? rng.pick(seen) : people[nextNew++]!;
    if (!repeatVisitor) seen.push(person);
    const { personalId, fullName, dateOfBirth } = person;
    const steps: Step[] = [{ call: 'vneid.verifyCitizen', input: { personalId, fullName, dateOfBirth } }];
    const parcel = rng.pick(fx.parcels);
    const ward = fx.wards.find((w) => w.code === parcel.wardCode);
    const formerCodes = ward?.formerUnits.map((u) => u.code).filter((c) => c !== parcel.wardCode) ?? [];
    // Cadastral records predate the 2025 merger: some parcels are still keyed by the old ward code.
    const wardCode = formerCodes.length > 0 && rng.chance(0.15) ? rng.pick(formerCodes) : parcel.wardCode;
    const parcelKey = { wardCode, mapSheet: parcel.mapSheet, parcelNumber: parcel.parcelNumber };
    const serial =
      parcel.certificates.find((c) => c.status === 'HIEU_LUC')?.serial ?? parcel.certificates[0]!.serial;
    switch (kind) {
      case 'land-transfer':
        steps.push(
          { call: 'land.getParcel', input: parcelKey },
          { call: 'land.verifyCertificate', input: { serial } },
          {
            call: 'land.submitRegistration',
            input: {
              dossierCode: code,
              ...parcelKey,
              changeType: rng.pick(CHANGE_TYPES),
              applicant: { personalId, fullName },
            },
          },
        );
        break;
      case 'household-business':
        if (rng.chance(0.4))
          steps.push({
            call: 'vneid.getCitizenProfile',
            input: { personalId, consentCode: person.consentCode },
          });
        steps.push({
          call: 'tax.registerTaxpayer',
          input: {
            dossierCode: code,
            personalId,
            fullName,
            dateOfBirth,
            businessAddress: {
              wardCode: rng.chance(0.7) ? CENTRE_WARD : rng.pick(fx.wards).code,
              detail: `Số ${rng.int(1, 300)} đường ${rng.pick(STREETS)}`,
            },
            businessLine: rng.pick(BUSINESS_LINES),
          },
        });
        break;
      case 'tax-confirmation':
        steps.push({ call: 'tax.lookupTaxCode', input: { taxCode: rng.pick(taxCodes) } });
        break;
      case 'certificate-check':
        steps.push(
          { call: 'land.verifyCertificate', input: { serial } },
          { call: 'land.getParcel', input: parcelKey },
        );
        break;
    }
    plans.push({
      seq,
      code,
      kind,
      at: times[i]!,
      actor: `officer-${String(rng.int(1, OFFICERS)).padStart(2, '0')}`,
      repeatVisitor,
      steps,
    });
  }
  return plans;
}

function invokeStep(gw: DemoGateway, step: Step, ctx: Parameters<DemoGateway['vneid']['verifyCitizen']>[1]) {
  switch (step.call) {
    case 'vneid.verifyCitizen':
      return gw.vneid.verifyCitizen(step.input, ctx);
    case 'vneid.getCitizenProfile':
      return gw.vneid.getCitizenProfile(step.input, ctx);
    case 'land.getParcel':
      return gw.land.getParcel(step.input, ctx);
    case 'land.verifyCertificate':
      return gw.land.verifyCertificate(step.input, ctx);
    case 'land.submitRegistration':
      return gw.land.submitRegistration(step.input, ctx);
    case 'tax.lookupTaxCode':
      return gw.tax.lookupTaxCode(step.input, ctx);
    case 'tax.registerTaxpayer':
      return gw.tax.registerTaxpayer(step.input, ctx);
  }
}

const WRITES: ReadonlySet<CallName> = new Set(['land.submitRegistration', 'tax.registerTaxpayer']);

/** Plays one dossier: every step in order; a failed step is recorded and the flow goes on. */
async function runDossier(gw: DemoGateway, plan: DossierPlan, stats: DemoStats): Promise<void> {
  stats.dossierStarted();
  const purpose = DOSSIER_KINDS[plan.kind].procedure;
  for (const step of plan.steps) {
    const [upstream, operation] = step.call.split('.') as [string, string];
    const write = WRITES.has(step.call);
    // Reads that cannot wait are deferred: a first-time citizen is accepted "verification pending".
    const ctx = { purpose, actor: plan.actor, dossierCode: plan.code, ...(write ? {} : { defer: true }) };
    if (write) stats.writeSubmitted(upstream, plan.code);
    const started = performance.now();
    try {
      const r: CallResult<unknown> = await invokeStep(gw, step, ctx);
      const durationMs = performance.now() - started;
      stats.callFinished({
        upstream,
        operation,
        write,
        outcome: r.status === 'ok' ? 'live' : r.status,
        durationMs,
        ticket: r.status === 'queued' ? r.ticket : undefined,
        dossierCode: plan.code,
      });
    } catch (e) {
      stats.callFinished({
        upstream,
        operation,
        write,
        outcome: 'failed',
        code: isGatewayError(e) ? e.code : 'UNEXPECTED',
        durationMs: performance.now() - started,
        dossierCode: plan.code,
      });
    }
  }
  stats.dossierDone();
}

/**
 * Starts every dossier at `startedAt + at × dayMs` and resolves once all have finished. An aborted
 * `signal` stops arrivals that have not started (flows in progress finish).
 */
export function runWorkload(
  gw: DemoGateway,
  plans: readonly DossierPlan[],
  o: { dayMs: number; startedAt: number; stats: DemoStats; signal?: AbortSignal },
): Promise<void> {
  const flows: Promise<void>[] = [];
  const timers: NodeJS.Timeout[] = [];
  return new Promise<void>((resolve) => {
    let unstarted = plans.length;
    const finish = () => {
      o.signal?.removeEventListener('abort', onAbort);
      void Promise.all(flows).then(() => resolve());
    };
    const onAbort = () => {
      for (const t of timers) clearTimeout(t);
      finish();
    };
    if (unstarted === 0 || o.signal?.aborted) return finish();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    for (const plan of plans) {
      const delay = Math.max(0, o.startedAt + plan.at * o.dayMs - Date.now());
      timers.push(
        setTimeout(() => {
          flows.push(runDossier(gw, plan, o.stats));
          // Once the last dossier has arrived, wait for every flow.
          if (--unstarted === 0) finish();
        }, delay),
      );
    }
  });
}
