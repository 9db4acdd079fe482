/**
 * The Vietnamese names of fields, for the `userMessage` a counter officer reads: an officer knows
 * "số định danh cá nhân", not `personalId`. Each adapter has one table (`defineAdapter({ labels })`),
 * an operation may add its own (`defineOperation({ labels })`), and the call context's fields are
 * named here.
 */

/**
 * How a field is named to counter staff: its Vietnamese label, or the label and the field's rule
 * stated in Vietnamese (used when the broken rule has no Vietnamese wording of its own, e.g. a
 * custom adapter's `regex`).
 * @example 'số định danh cá nhân'
 * @example { label: 'mã bảo hiểm xã hội', rule: 'phải gồm 10 chữ số' }
 */
export type FieldLabel = string | { readonly label: string; readonly rule?: string | undefined };

/**
 * Vietnamese labels by field: a dotted path of the input (`applicant.personalId`, array indexes
 * left out: `members.fullName`) or a field name alone (`personalId`), which names that field at any
 * depth. A path wins over a name. Labels must not be code names: they are shown as written.
 */
export type FieldLabels = Readonly<Record<string, FieldLabel>>;

/** The labels of the call context's fields (`context.purpose`…), the same for every adapter. */
export const CONTEXT_FIELD_LABELS: FieldLabels = Object.freeze({
  purpose: { label: 'mã thủ tục', rule: 'không được chứa ký tự điều khiển' },
  actor: 'mã cán bộ',
  dossierCode: 'mã hồ sơ',
  idempotencyKey: 'khóa chống gửi trùng',
  correlationId: 'mã liên kết yêu cầu',
  deadlineMs: 'thời hạn xử lý',
  signal: 'tín hiệu hủy yêu cầu',
  defer: 'tùy chọn xử lý sau',
});

/** What a field without a label is called. */
export const UNLABELLED_FIELD = 'một trường thông tin';

/** A resolved label: what the field is called and, if given, its rule. */
export interface ResolvedLabel {
  label: string;
  rule?: string | undefined;
}

/** Finds the label of an issue path (`context.actor`, `applicant.personalId`, `(root)`). */
export type LabelLookup = (path: string) => ResolvedLabel;

function resolved(entry: FieldLabel): ResolvedLabel {
  return typeof entry === 'string' ? { label: entry } : { label: entry.label, rule: entry.rule };
}

function find(tables: readonly (FieldLabels | undefined)[], keys: readonly string[]): FieldLabel | undefined {
  for (const key of keys) {
    // The most specific table (last given) first.
    for (let t = tables.length - 1; t >= 0; t--) {
      const table = tables[t];
      if (table && Object.hasOwn(table, key)) return table[key];
    }
  }
  return undefined;
}

/**
 * A lookup over label tables, the later ones winning (e.g. adapter, then operation). `context.*`
 * paths are named by {@link CONTEXT_FIELD_LABELS}; a field without a label is
 * {@link UNLABELLED_FIELD}.
 */
export function labelLookup(...tables: (FieldLabels | undefined)[]): LabelLookup {
  return (path) => {
    if (path === '(root)') return { label: 'thông tin gửi đi' };
    if (path === 'context') return { label: 'thông tin kèm theo yêu cầu' };
    const segments = path.split('.').filter((s) => !/^\d+$/.test(s));
    if (segments[0] === 'context' && segments.length === 2) {
      const entry = find([CONTEXT_FIELD_LABELS], [segments[1]!]);
      if (entry !== undefined) return resolved(entry);
    }
    const name = segments[segments.length - 1];
    const entry = find(tables, name === undefined ? [segments.join('.')] : [segments.join('.'), name]);
    return entry === undefined ? { label: UNLABELLED_FIELD } : resolved(entry);
  };
}
