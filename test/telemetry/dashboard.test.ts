import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fullRun, PROMTOOL, PROMTOOL_MISSING, promtool } from './helpers.js';
import { labelNamesBySample, parseExposition, sampleNames } from './prom-text.js';

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's placeholder of the datasource input, not a template
const DS_UID = '${DS_PROMETHEUS}';
const OPS = fileURLToPath(new URL('../../examples/ops/', import.meta.url));
const read = (file: string) => readFileSync(join(OPS, file), 'utf8');

interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  panels?: Panel[];
}

const dashboard = JSON.parse(read('grafana-dashboard.json')) as {
  __inputs: { name: string; type: string; pluginId: string }[];
  schemaVersion: number;
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; datasource: { uid: string }; query: { query: string } | string }[] };
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const panelExprs = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

/** The `expr` of every rule in a Prometheus rules file (single-line or `>-` / `|` block scalars). */
function ruleExprs(yaml: string): string[] {
  const lines = yaml.split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    const m = /^(\s*)expr:\s*(.*)$/.exec(line);
    if (!m) return;
    if (!/^[>|]-?$/.test(m[2]!)) {
      out.push(m[2]!);
      return;
    }
    const indent = m[1]!.length;
    const block: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j]!;
      if (l.trim() !== '' && l.length - l.trimStart().length <= indent) break;
      block.push(l.trim());
    }
    out.push(block.join(' ').trim());
  });
  return out;
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
]);
/** Labels Prometheus adds at scrape time (target labels of examples/ops/prometheus.yml). */
const TARGET_LABELS = new Set(['job', 'instance', 'system']);

/**
 * Metric names and label names a PromQL expression uses: selectors with their matchers, and the
 * labels of by/without/on/ignoring clauses. Grafana variables only occur in strings and ranges.
 */
function promqlRefs(expr: string): { metrics: Map<string, Set<string>>; grouping: Set<string> } {
  const metrics = new Map<string, Set<string>>();
  const grouping = new Set<string>();
  let rest = expr.replace(/\[[^\]]*\]/g, ' '); // ranges: [5m], [$__rate_interval]
  rest = rest.replace(
    /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g,
    (_, _kw, labels: string) => {
      for (const l of labels.split(',')) if (l.trim()) grouping.add(l.trim());
      return ' ';
    },
  );
  const selector = /(?<![\w.:])([a-zA-Z_:][\w:]*)?\s*\{([^}]*)\}/g;
  rest = rest.replace(selector, (_, name: string | undefined, matchers: string) => {
    if (!name) throw new Error(`a selector without a metric name in ${expr}`);
    const labels = metrics.get(name) ?? new Set<string>();
    for (const m of matchers.matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"/g))
      labels.add(m[1]!);
    metrics.set(name, labels);
    return ' ';
  });
  rest = rest.replace(/"(?:[^"\\]|\\.)*"/g, ' ');
  for (const m of rest.matchAll(/(?<![\w.:])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = m;
    if (call || KEYWORDS.has(name!) || /^(inf|nan)$/i.test(name!)) continue; // functions and aggregations
    if (!metrics.has(name!)) metrics.set(name!, new Set());
  }
  return { metrics, grouping };
}

/**
 * The store-wide series an expression aggregates with `sum` (or `count`): the aggregation
 * directly around the selector, with at most one function (`delta(`, `max_over_time(`) between.
 */
function storeWideSums(expr: string): string[] {
  const flat = expr.replace(/\b(by|without)\s*\([^)]*\)/g, '');
  return [
    ...flat.matchAll(
      /\b(sum|count)\s*\(\s*(?:\w+\s*\(\s*)?(vngw_outbox_(?:items|oldest_pending_age_seconds))\b/g,
    ),
  ].map((m) => `${m[1]}(${m[2]})`);
}

let exposed: Set<string>;
let labelsOf: Map<string, Set<string>>;
beforeAll(async () => {
  const families = parseExposition(await fullRun());
  exposed = sampleNames(families);
  labelsOf = labelNamesBySample(families);
});

/** Series recorded by alerts.yml (`record:`), with the labels their `by (…)` keeps. */
const RECORDED = new Map<string, Set<string>>([
  ['upstream:vngw_fallback_share:rate5m', new Set(['job', 'upstream'])],
]);

function checkRefs(where: string, expr: string) {
  const { metrics, grouping } = promqlRefs(expr);
  expect(metrics.size, `${where}: no metric in ${expr}`).toBeGreaterThan(0);
  const known = new Set<string>(TARGET_LABELS);
  for (const [name, labels] of metrics) {
    if (RECORDED.has(name)) {
      for (const label of labels)
        expect([...RECORDED.get(name)!], `${where}: ${name} has no label ${label}`).toContain(label);
      for (const l of RECORDED.get(name)!) known.add(l);
      continue;
    }
    expect(exposed, `${where}: ${name} is not exposed by the gateway`).toContain(name);
    for (const l of labelsOf.get(name) ?? []) known.add(l);
    for (const label of labels) {
      expect(
        [...(labelsOf.get(name) ?? []), ...TARGET_LABELS],
        `${where}: ${name} has no label ${label}`,
      ).toContain(label);
    }
  }
  for (const label of grouping)
    expect([...known], `${where}: groups by unknown label ${label}`).toContain(label);
}

describe('examples/ops/grafana-dashboard.json', () => {
  it(`is an importable Grafana dashboard with a ${DS_UID} datasource input`, () => {
    expect(dashboard.schemaVersion).toBe(39);
    expect(dashboard.uid).toMatch(/^[\w-]{1,40}$/);
    expect(dashboard.title).toMatch(/vn-national-gateway/);
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    ]);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const p of panels) {
      expect(['timeseries', 'stat', 'state-timeline', 'row'], p.title).toContain(p.type);
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: DS_UID });
      const { x, y, w, h } = p.gridPos;
      expect(x >= 0 && w > 0 && h > 0 && x + w <= 24, `${p.title} fits the 24-column grid`).toBe(true);
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`), `${p.title} overlaps another panel`).toBe(false);
          cells.add(`${i},${j}`);
        }
      }
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(refIds.length, p.title).toBeGreaterThan(0);
      expect(new Set(refIds).size, p.title).toBe(refIds.length);
      for (const t of p.targets ?? []) {
        expect(t.datasource?.uid).toBe(DS_UID);
        expect(t.expr.trim()).not.toBe('');
      }
    }
    for (const v of dashboard.templating.list) expect(v.datasource.uid).toBe(DS_UID);
  });

  it('has the panels operations asked for', () => {
    const has = (re: RegExp) => panelExprs.some(({ expr }) => re.test(expr));
    expect(has(/\bvngw_breaker_state\{/)).toBe(true);
    expect(has(/rate\(vngw_requests_total\{[^}]*outcome!="ok"[^}]*\}.*\/.*rate\(vngw_requests_total/)).toBe(
      true,
    );
    for (const q of ['0.5', '0.95', '0.99']) {
      expect(
        has(
          new RegExp(
            `histogram_quantile\\(${q}, sum by \\(le, upstream\\) \\(rate\\(vngw_request_duration_seconds_bucket`,
          ),
        ),
      ).toBe(true);
    }
    expect(has(/by \([^)]*\bkind\b[^)]*\) \(rate\(vngw_fallbacks_total/)).toBe(true);
    expect(has(/by \(state\) \(vngw_outbox_items/)).toBe(true);
    expect(has(/rate\(vngw_retries_total/)).toBe(true);
  });

  it('every panel and variable query uses only metric names and labels of a real exposition', () => {
    expect(panelExprs.length).toBeGreaterThanOrEqual(10);
    for (const { panel, expr } of panelExprs) checkRefs(panel, expr);
    for (const v of dashboard.templating.list) {
      const query = typeof v.query === 'string' ? v.query : v.query.query;
      const m = /^label_values\((.+),\s*(\w+)\)$/.exec(query);
      expect(m, query).not.toBeNull();
      checkRefs(`variable ${v.name}`, m![1]!);
      expect([
        ...(labelsOf.get(promqlRefs(m![1]!).metrics.keys().next().value!) ?? []),
        ...TARGET_LABELS,
      ]).toContain(m![2]);
    }
  });

  it('the reference check itself catches a wrong name or label', () => {
    expect(() => checkRefs('t', 'sum(rate(vngw_request_total[5m]))')).toThrow(/not exposed/);
    expect(() => checkRefs('t', 'vngw_breaker_state{operation="x"}')).toThrow(/no label operation/);
    expect(() => checkRefs('t', 'sum by (dossier) (vngw_requests_total)')).toThrow(/unknown label dossier/);
    expect(() => checkRefs('t', 'histogram_quantile(0.9, rate(vngw_request_duration_seconds[5m]))')).toThrow(
      /not exposed/,
    );
  });
});

describe('examples/ops/prometheus.yml and alerts.yml', () => {
  it('scrape serveMetrics on 127.0.0.1:9464/metrics and load alerts.yml', () => {
    const yml = read('prometheus.yml');
    expect(yml).toMatch(/metrics_path: \/metrics/);
    expect(yml).toMatch(/targets: \[['"]127\.0\.0\.1:9464['"]\]/);
    expect(yml).toMatch(/rule_files:\n\s+- alerts\.yml/);
  });

  it('alert expressions use only exposed metric names and labels; the required alerts exist', () => {
    const yml = read('alerts.yml');
    const exprs = ruleExprs(yml);
    expect(exprs.length).toBeGreaterThanOrEqual(3);
    for (const expr of exprs) checkRefs('alerts.yml', expr);
    // The breaker alert looks at a range (max/min_over_time), not at one scrape: it must not flap
    // while the breaker cycles open → half-open → open (replayed in alerts.test.yml).
    expect(yml).toMatch(
      /alert: VngwBreakerOpen\n\s+expr: >-\n\s+max by \(job, upstream\) \(min_over_time\(vngw_breaker_state\[90s\]\)\) >= 1\n\s+and max by \(job, upstream\) \(max_over_time\(vngw_breaker_state\[90s\]\)\) == 2\n\s+for: 30s/,
    );
    expect(yml).toMatch(/record: upstream:vngw_fallback_share:rate5m\n/);
    expect(yml).toMatch(
      /alert: VngwFallbackShareHigh\n\s+expr: upstream:vngw_fallback_share:rate5m > 0\.2\n\s+for: 5m/,
    );
    expect(yml).toMatch(
      /alert: VngwOutboxOldestPending\n\s+expr: max by \(job, upstream\) \(vngw_outbox_oldest_pending_age_seconds\{scope="store"\}\) > 600/,
    );
    expect(exprs.some((e) => /delta\(vngw_outbox_items\{state="pending"\}/.test(e))).toBe(true);
    expect(exprs.some((e) => /increase\(vngw_contract_violations_total/.test(e))).toBe(true);
  });

  it('store-wide series (scope="store") are aggregated with max, never sum, in the alerts and the dashboard', () => {
    const all = [...ruleExprs(read('alerts.yml')), ...panelExprs.map((p) => p.expr)];
    const storeWide = all.filter((e) => /vngw_outbox_(items|oldest_pending_age_seconds)\b/.test(e));
    expect(storeWide.length).toBeGreaterThanOrEqual(5);
    for (const expr of storeWide) expect(storeWideSums(expr), expr).toEqual([]);
    // The check is not vacuous.
    expect(storeWideSums('sum by (state) (vngw_outbox_items{state!="delivered"})')).toHaveLength(1);
    expect(storeWideSums('sum by (job) (delta(vngw_outbox_items{state="pending"}[15m]))')).toHaveLength(1);
    expect(storeWideSums('max by (state) (vngw_outbox_items) / sum(rate(vngw_requests_total[5m]))')).toEqual(
      [],
    );
  });

  const title = (what: string) => (PROMTOOL ? what : `${what} (${PROMTOOL_MISSING})`);

  it.skipIf(!PROMTOOL)(title('promtool: config and rules are valid, the alert unit tests pass'), () => {
    for (const args of [
      ['check', 'config', join(OPS, 'prometheus.yml')],
      ['check', 'rules', join(OPS, 'alerts.yml')],
      ['test', 'rules', join(OPS, 'alerts.test.yml')],
    ]) {
      const r = promtool(args);
      expect(r.status, `promtool ${args.join(' ')}\n${r.out}`).toBe(0);
    }
  });

  it.skipIf(!PROMTOOL)(title('promtool: every dashboard query is valid PromQL'), () => {
    const dir = mkdtempSync(join(tmpdir(), 'vngw-dash-'));
    try {
      const vars: Record<string, string> = {
        $__rate_interval: '1m',
        $__range: '6h',
        $instance: '.*',
        $upstream: '.*',
      };
      const rules = panelExprs.map(({ expr }, i) => ({
        record: `dashboard:query_${i}`,
        expr: expr.replace(/\$__rate_interval|\$__range|\$instance|\$upstream/g, (v) => vars[v]!),
      }));
      expect(rules.every((r) => !r.expr.includes('$'))).toBe(true);
      const file = join(dir, 'dashboard-rules.json'); // JSON is YAML
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
      const r = promtool(['check', 'rules', file]);
      expect(r.status, r.out).toBe(0);
      expect(r.out).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`));
      // Not vacuous: a syntax error is reported.
      writeFileSync(
        file,
        JSON.stringify({ groups: [{ name: 'x', rules: [{ record: 'x:y', expr: 'sum(rate(x[1m])' }] }] }),
      );
      expect(promtool(['check', 'rules', file]).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
