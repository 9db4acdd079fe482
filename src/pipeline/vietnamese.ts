/**
 * The Vietnamese wording of a `VALIDATION` error for counter staff: each failing field named by
 * its label (`field-labels.ts`) and its rule stated in Vietnamese, never a code name. The English
 * `message` and the issues' `path` and `code` stay for developers.
 *
 * A rule is worded, in this order, from: the library's own rules (identifiers, names, dossier
 * codes, the call context), recognised by their English text; the field's label `rule`; zod's
 * own issue data (lengths, types); the issue code alone. None repeats the value.
 */
import type { z } from 'zod';
import type { FieldIssue } from '../errors.js';
import type { LabelLookup } from './field-labels.js';

type Rule = readonly [RegExp, (m: RegExpExecArray) => string];

/** The English rules of this library's schemas, worded in Vietnamese. */
const RULES: readonly Rule[] = [
  [/^must be exactly (\d+) digits$/, (m) => `phải gồm đúng ${m[1]} chữ số`],
  [
    /not a known birth-registration province code$/,
    () => 'có 3 chữ số đầu không phải mã tỉnh nơi đăng ký khai sinh',
  ],
  [/^digits 4–6 give birth year \d+, which is in the future$/, () => 'có năm sinh (chữ số 4–6) ở tương lai'],
  [
    /^(?:gender\/century digit|birth-year digits \(5–6\)) says? born .* but dateOfBirth is in \d+$/,
    () => 'không khớp với năm sinh trong số định danh cá nhân',
  ],
  [
    /^must be a real calendar date written YYYY-MM-DD$/,
    () => 'phải là một ngày có thật, viết theo dạng năm-tháng-ngày (ví dụ 1990-12-31)',
  ],
  [/^must not be in the future$/, () => 'không được sau ngày hôm nay'],
  [
    /^must be 10 digits, a branch code NNNNNNNNNN-NNN, or a 12-digit personal identification number$/,
    () =>
      'phải gồm 10 chữ số, là mã chi nhánh (10 chữ số, gạch nối, 3 chữ số) hoặc là số định danh cá nhân 12 chữ số',
  ],
  [/^digits 3–9 must not all be zero$/, () => 'không được có các chữ số từ thứ 3 đến thứ 9 đều là 0'],
  [/check digit/, () => 'có chữ số kiểm tra (chữ số thứ 10) không đúng'],
  [
    /^a branch suffix \(digits 11–13\) must be 001–999$/,
    () => 'có mã chi nhánh (3 chữ số cuối) phải từ 001 đến 999',
  ],
  [
    /^not a known current or pre-2025 commune code$/,
    () => 'không phải mã xã, phường hiện hành hay mã trước năm 2025',
  ],
  [
    /^a pre-2025 code; use the current code of the unit it belongs to$/,
    () => 'là mã cũ trước năm 2025; hãy dùng mã hiện hành của xã, phường',
  ],
  [/^not a known current commune code$/, () => 'không phải mã xã, phường hiện hành'],
  [
    /^must be two capital letters and 6 or 8 digits/,
    () => 'phải gồm 2 chữ cái in hoa và 6 hoặc 8 chữ số, ví dụ AB 123456',
  ],
  [/^must be 12 capital letters and digits$/, () => 'phải gồm 12 ký tự là chữ cái in hoa hoặc chữ số'],
  [/^must be a positive integer$/, () => 'phải là số nguyên dương'],
  [/^must be at most (\d+) characters$/, (m) => `chỉ được tối đa ${m[1]} ký tự`],
  [
    /^must be letters \(with diacritics\)/,
    () =>
      'chỉ được gồm chữ cái (có dấu), khoảng trắng, dấu chấm, dấu nháy hoặc gạch nối, bắt đầu bằng chữ cái',
  ],
  [
    /^must be (\d+)–(\d+) letters, digits or \. _ - \/ :/,
    (m) =>
      `phải gồm ${m[1]}–${m[2]} ký tự là chữ cái không dấu, chữ số, dấu chấm, gạch dưới, gạch nối, gạch chéo hoặc hai chấm`,
  ],
  [
    /^must be (\d+)–(\d+) letters, digits, "\.", "_" or "-", starting with a letter or digit$/,
    (m) =>
      `phải gồm ${m[1]}–${m[2]} ký tự là chữ cái không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch nối, bắt đầu bằng chữ cái hoặc chữ số`,
  ],
  [
    /^must be (\d+)–(\d+) letters, digits or "-"$/,
    (m) => `phải gồm ${m[1]}–${m[2]} ký tự là chữ cái không dấu, chữ số hoặc gạch nối`,
  ],
  [
    /^must be (\d+)–(\d+) characters without control characters$/,
    (m) => `phải có ${m[1]}–${m[2]} ký tự, không chứa ký tự điều khiển`,
  ],
  [/^must not contain control characters$/, () => 'không được chứa ký tự điều khiển'],
  [
    /^must be visible ASCII without spaces .*officer code/,
    () =>
      'phải viết bằng chữ cái không dấu và chữ số, không có khoảng trắng (dùng mã cán bộ, không dùng họ tên)',
  ],
  [
    /^must be visible ASCII without spaces/,
    () => 'chỉ được gồm chữ cái không dấu, chữ số và ký hiệu, không có khoảng trắng',
  ],
  [/^must be a string$/, () => 'phải là chuỗi ký tự'],
  [/^must be a boolean$/, () => 'phải là giá trị đúng hoặc sai'],
  [/^must be a number$/, () => 'phải là một số'],
  [/^must be a positive number of milliseconds$/, () => 'phải là số mili giây lớn hơn 0'],
  [/^must be finite$/, () => 'phải là một số hữu hạn'],
  [/^must be an object$/, () => 'phải là một nhóm thông tin'],
  [
    /^must be 1–500 characters without a personal ID/,
    () => 'phải có 1–500 ký tự và không chứa số định danh (từ 9 chữ số liền nhau)',
  ],
  [/^must be a finite number >= 0$/, () => 'phải là một số không âm'],
  [/^must be a finite number \(epoch ms\)$/, () => 'phải là một thời điểm hợp lệ'],
];

/** A label the English rule may start with (`personalId: `, `taxCode (personal identification number): `). */
const RULE_PREFIX = /^[A-Za-z][A-Za-z0-9]*(?: \([a-z ]+\))?: /;

/** The Vietnamese of one of this library's English rules, if it is one. */
export function vietnameseRule(message: string): string | undefined {
  const rule = message.replace(RULE_PREFIX, '');
  for (const [pattern, word] of RULES) {
    const m = pattern.exec(rule);
    if (m) return word(m);
  }
  return undefined;
}

const TYPES: Readonly<Record<string, string>> = {
  string: 'phải là chuỗi ký tự',
  number: 'phải là một số',
  int: 'phải là số nguyên',
  bigint: 'phải là số nguyên',
  boolean: 'phải là giá trị đúng hoặc sai',
  object: 'phải là một nhóm thông tin',
  array: 'phải là một danh sách',
  date: 'phải là một ngày',
};

/** A rule worded from zod's own issue data (a size, a type), for schemas without a message of ours. */
function zodRule(i: z.core.$ZodIssue): string | undefined {
  const n = (v: unknown) => (typeof v === 'bigint' ? v.toString() : String(v));
  switch (i.code) {
    case 'invalid_type':
      return TYPES[i.expected] ?? 'không đúng kiểu dữ liệu';
    case 'too_small':
      if (i.origin === 'string') return `phải có ít nhất ${n(i.minimum)} ký tự`;
      if (i.origin === 'array' || i.origin === 'set') return `phải có ít nhất ${n(i.minimum)} mục`;
      return i.inclusive ? `phải từ ${n(i.minimum)} trở lên` : `phải lớn hơn ${n(i.minimum)}`;
    case 'too_big':
      if (i.origin === 'string') return `chỉ được tối đa ${n(i.maximum)} ký tự`;
      if (i.origin === 'array' || i.origin === 'set') return `chỉ được tối đa ${n(i.maximum)} mục`;
      return i.inclusive ? `không được lớn hơn ${n(i.maximum)}` : `phải nhỏ hơn ${n(i.maximum)}`;
    case 'invalid_value':
    case 'invalid_union':
      return 'không thuộc các giá trị được chấp nhận';
    case 'not_multiple_of':
      return 'không hợp lệ';
    default:
      return undefined;
  }
}

const BY_CODE: Readonly<Record<string, string>> = {
  type: 'không đúng kiểu dữ liệu',
  format: 'không đúng định dạng',
  too_long: 'quá dài',
  too_short: 'quá ngắn',
  invalid_value: 'không thuộc các giá trị được chấp nhận',
};

/**
 * The Vietnamese sentence of one issue: "chưa nhập họ và tên", "số định danh cá nhân phải gồm
 * đúng 12 chữ số". `zodIssue` is the issue zod raised, when there is one.
 */
export function issueSentence(issue: FieldIssue, labelOf: LabelLookup, zodIssue?: z.core.$ZodIssue): string {
  const { label, rule } = labelOf(issue.path);
  switch (issue.code) {
    case 'required':
      return `chưa nhập ${label}`;
    case 'unreadable':
      return `không đọc được ${label}`;
    case 'unknown_field':
      // The name is a code name, and a program's mistake: the officer can only report it.
      return 'phần mềm gửi kèm thông tin không được hỗ trợ (vui lòng báo quản trị hệ thống)';
  }
  const worded =
    vietnameseRule(issue.message) ??
    (rule !== undefined &&
    (issue.code === 'format' || issue.code === 'invalid_value' || issue.code === undefined)
      ? rule
      : undefined) ??
    (zodIssue ? zodRule(zodIssue) : undefined) ??
    rule ??
    BY_CODE[issue.code ?? 'format'] ??
    'không hợp lệ';
  return `${label} ${worded}`;
}

/** Sentences shown at most; the rest are counted. */
const MAX_SENTENCES = 5;

/**
 * The `userMessage` of a `VALIDATION` error: "Thông tin nhập vào gửi tới hệ thống thuế không hợp
 * lệ: chưa nhập họ và tên; số định danh cá nhân phải gồm đúng 12 chữ số. Vui lòng kiểm tra lại."
 */
export function validationUserMessage(sentences: readonly string[], platform?: string): string {
  const unique = [...new Set(sentences)];
  const shown = unique.slice(0, MAX_SENTENCES);
  if (unique.length > MAX_SENTENCES) shown.push(`và ${unique.length - MAX_SENTENCES} lỗi khác`);
  const where = platform ? ` gửi tới ${platform[0]!.toLowerCase()}${platform.slice(1)}` : '';
  const detail = shown.length > 0 ? `: ${shown.join('; ')}` : '';
  return `Thông tin nhập vào${where} không hợp lệ${detail}. Vui lòng kiểm tra lại.`;
}
