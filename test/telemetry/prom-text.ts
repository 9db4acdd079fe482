/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: it throws on
 * anything a Prometheus server would reject (or that the format leaves undefined), and checks
 * the conventions a family's type implies.
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  line: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const finished = new Set<string>(); // families whose samples are over (they must be contiguous)
  const typed = new Set<string>();
  let current: Family | undefined;
  const fail = (line: number, why: string, src: string): never => {
    throw new Error(`exposition line ${line}: ${why}: ${JSON.stringify(src)}`);
  };
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('exposition must end with a newline');

  const lines = text.split('\n');
  lines.pop(); // after the final newline
  lines.forEach((src, i) => {
    const line = i + 1;
    if (src.trim() === '') return;
    if (src.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([^ ]+)(?: (.*))?$/.exec(src);
      if (!m) return; // a plain comment
      const [, kind, name, rest = ''] = m;
      if (!METRIC_NAME.test(name!) || METRIC_NAME.exec(name!)![0] !== name)
        fail(line, 'bad metric name', src);
      const family = families.get(name!) ?? { name: name!, type: 'untyped' as MetricType, samples: [] };
      if (finished.has(name!) || (families.has(name!) && family.samples.length > 0)) {
        fail(line, `${kind} after the samples of ${name}`, src);
      }
      if (current && current.name !== name) finished.add(current.name);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) fail(line, 'unknown type', src);
        if (typed.has(name!)) fail(line, 'second TYPE line', src);
        family.type = rest as MetricType;
        typed.add(name!);
      } else {
        if (family.help !== undefined) fail(line, 'second HELP line', src);
        family.help = unescapeText(rest, false, () => fail(line, 'bad escape in HELP', src));
      }
      families.set(name!, family);
      current = family;
      return;
    }
    const sample = parseSample(src, line, fail);
    const familyName = familyOf(sample.name, families);
    if (current?.name !== familyName) {
      if (current) finished.add(current.name);
      if (finished.has(familyName)) fail(line, `samples of ${familyName} are not contiguous`, src);
      if (!families.has(familyName))
        families.set(familyName, { name: familyName, type: 'untyped', samples: [] });
      current = families.get(familyName)!;
    }
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (current.samples.some((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}` === key)) {
      fail(line, 'duplicate series', src);
    }
    current.samples.push(sample);
  });
  for (const family of families.values()) checkFamily(family);
  return families;
}

function familyOf(sampleName: string, families: Map<string, Family>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (sampleName.endsWith(suffix)) {
      const base = sampleName.slice(0, -suffix.length);
      const f = families.get(base);
      if (f && (f.type === 'histogram' || f.type === 'summary')) return base;
    }
  }
  return sampleName;
}

function parseSample(
  src: string,
  line: number,
  fail: (line: number, why: string, src: string) => never,
): Sample {
  const nameMatch = METRIC_NAME.exec(src);
  if (!nameMatch) fail(line, 'no metric name', src);
  const name = nameMatch![0];
  let rest = src.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    for (;;) {
      if (rest.startsWith('}')) {
        rest = rest.slice(1);
        break;
      }
      const ln = LABEL_NAME.exec(rest);
      if (!ln) fail(line, 'bad label name', src);
      const labelName = ln![0];
      if (labelName.startsWith('__')) fail(line, 'reserved label name', src);
      if (labelName in labels) fail(line, `label ${labelName} twice`, src);
      rest = rest.slice(labelName.length);
      if (!rest.startsWith('="')) fail(line, 'expected ="', src);
      rest = rest.slice(2);
      let raw = '';
      for (;;) {
        if (rest.length === 0) fail(line, 'unterminated label value', src);
        const c = rest[0]!;
        if (c === '\\') {
          raw += rest.slice(0, 2);
          rest = rest.slice(2);
        } else if (c === '"') {
          rest = rest.slice(1);
          break;
        } else {
          raw += c;
          rest = rest.slice(1);
        }
      }
      labels[labelName] = unescapeText(raw, true, () => fail(line, 'bad escape in label value', src));
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) fail(line, 'expected , or }', src);
    }
  }
  const m = /^ ([^ ]+)(?: (-?\d+))?$/.exec(rest);
  if (!m) fail(line, 'expected " value [timestamp]"', src);
  const value = parseValue(m![1]!);
  if (value === undefined) fail(line, 'bad value', src);
  return { name, labels, value: value!, line };
}

function parseValue(s: string): number | undefined {
  if (s === '+Inf') return Number.POSITIVE_INFINITY;
  if (s === '-Inf') return Number.NEGATIVE_INFINITY;
  if (s === 'NaN') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

function unescapeText(raw: string, quotes: boolean, bad: () => never): string {
  return raw.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && quotes) return '"';
    return bad();
  });
}

/** Type conventions: counters `_total` and ≥ 0; histograms with increasing `le`, cumulative buckets, `+Inf` = `_count`, a `_sum`. */
function checkFamily(f: Family): void {
  const where = `family ${f.name} (${f.type})`;
  if (f.type === 'counter') {
    if (!f.name.endsWith('_total')) throw new Error(`${where}: a counter's name must end in _total`);
    for (const s of f.samples) {
      if (s.name !== f.name) throw new Error(`${where}: sample ${s.name} on line ${s.line}`);
      if (!(s.value >= 0)) throw new Error(`${where}: negative or NaN value on line ${s.line}`);
    }
  } else if (f.type === 'gauge') {
    for (const s of f.samples)
      if (s.name !== f.name) throw new Error(`${where}: sample ${s.name} on line ${s.line}`);
  } else if (f.type === 'histogram') {
    if (f.name.endsWith('_total')) throw new Error(`${where}: only counters end in _total`);
    const groups = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
    for (const s of f.samples) {
      const { le, ...rest } = s.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      const g = groups.get(key) ?? { buckets: [] };
      groups.set(key, g);
      if (s.name === `${f.name}_bucket`) {
        if (le === undefined) throw new Error(`${where}: bucket without le on line ${s.line}`);
        const bound = parseValue(le);
        if (bound === undefined || Number.isNaN(bound)) throw new Error(`${where}: bad le on line ${s.line}`);
        g.buckets.push([bound, s.value]);
      } else if (le !== undefined) {
        throw new Error(`${where}: le on a non-bucket sample, line ${s.line}`);
      } else if (s.name === `${f.name}_sum`) {
        g.sum = s.value;
      } else if (s.name === `${f.name}_count`) {
        g.count = s.value;
      } else {
        throw new Error(`${where}: unexpected sample ${s.name} on line ${s.line}`);
      }
    }
    for (const [key, g] of groups) {
      const at = `${where} ${key}`;
      if (g.buckets.length === 0) throw new Error(`${at}: no buckets`);
      for (let i = 1; i < g.buckets.length; i++) {
        if (!(g.buckets[i]![0] > g.buckets[i - 1]![0])) throw new Error(`${at}: le not increasing`);
        if (g.buckets[i]![1] < g.buckets[i - 1]![1]) throw new Error(`${at}: buckets not cumulative`);
      }
      const last = g.buckets.at(-1)!;
      if (last[0] !== Number.POSITIVE_INFINITY) throw new Error(`${at}: no +Inf bucket`);
      if (g.count === undefined || g.sum === undefined) throw new Error(`${at}: _sum or _count missing`);
      if (last[1] !== g.count) throw new Error(`${at}: +Inf bucket ${last[1]} != _count ${g.count}`);
    }
  }
}

/** The names of every sample in an exposition (histograms give `_bucket`, `_sum`, `_count`). */
export function sampleNames(families: Map<string, Family>): Set<string> {
  const names = new Set<string>();
  for (const f of families.values()) for (const s of f.samples) names.add(s.name);
  return names;
}

/** Label names seen per sample name. */
export function labelNamesBySample(families: Map<string, Family>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const f of families.values()) {
    for (const s of f.samples) {
      const set = out.get(s.name) ?? new Set<string>();
      for (const l of Object.keys(s.labels)) set.add(l);
      out.set(s.name, set);
    }
  }
  return out;
}
