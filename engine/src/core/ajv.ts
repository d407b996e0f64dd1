import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FieldIssue } from './errors.js';

export type { ErrorObject, ValidateFunction };

// ajv-formats is CommonJS; its default export arrives wrapped under some loaders (and TypeScript's
// NodeNext resolution, used by `npm run build`, types the import as the module, not the function).
type AddFormats = (ajv: Ajv2020, formats: string[]) => unknown;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

/** One configured ajv: draft 2020-12, all errors, formats, and our `x-scale` decimal-places keyword. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: false,
    useDefaults: false,
    coerceTypes: false,
  });
  addFormats(ajv, ['date', 'date-time', 'email', 'uri', 'uuid']);
  ajv.addKeyword({
    keyword: 'x-scale',
    type: 'number',
    schemaType: 'number',
    error: { message: 'too many decimals' },
    validate: (scale: number, value: number) => fitsScale(value, scale),
  });
  return ajv;
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i); // exact doubles up to 10^22

/**
 * Whether a number, as written (its shortest text, e.g. `12.5`), has at most `scale` decimals.
 * Most values are answered without making their text: when `value · 10^scale` rounds to an integer
 * k that is still exact (a safe integer), `k / 10^scale` is the double nearest the decimal k·10^-scale,
 * so if it is `value` the value was written with at most `scale` decimals. Only the rest (a value
 * with more decimals, or too large for that test) is decided from its text, as it always was.
 */
export function fitsScale(value: number, scale: number): boolean {
  if (Number.isInteger(value)) return true;
  const p = POWERS_OF_TEN[scale];
  if (p !== undefined) {
    const k = Math.round(value * p);
    if (Number.isSafeInteger(k) && k / p === value) return true;
  }
  const s = String(value);
  if (s.includes('e')) return Number(value.toFixed(scale)) === value;
  const dot = s.indexOf('.');
  return dot < 0 || s.length - dot - 1 <= scale;
}

/** An ajv of this module's configuration, made on the first call (not at import), then reused. */
export function lazyAjv(): () => Ajv2020 {
  let made: Ajv2020 | undefined;
  return () => (made ??= createAjv());
}

/**
 * A validator compiled on its first use, not when it is declared: registries and the meta-model
 * declare dozens at import, and compiling them all there was a quarter of the engine's start.
 * Called like the ValidateFunction it stands for, with `errors` set after each call.
 */
export function compileLazily(ajv: Ajv2020 | (() => Ajv2020), schema: object): ValidateFunction {
  let compiled: ValidateFunction | undefined;
  const lazy = ((data: unknown) => {
    compiled ??= (typeof ajv === 'function' ? ajv() : ajv).compile(schema);
    const ok = compiled(data);
    lazy.errors = compiled.errors;
    return ok;
  }) as ValidateFunction; // only called, and `errors` read: ajv's other fields are not used here
  return lazy;
}

// Localized by formatMessage: params that are {en, zh-CN} objects are shown in the reader's language.
const FORMAT_NAMES: Record<string, { en: string; 'zh-CN': string }> = {
  date: { en: 'date (YYYY-MM-DD)', 'zh-CN': '日期（YYYY-MM-DD）' },
  'date-time': { en: 'ISO 8601 date-time', 'zh-CN': 'ISO 8601 日期时间' },
  email: { en: 'email address', 'zh-CN': '邮箱地址' },
  uri: { en: 'URL', 'zh-CN': '网址' },
  uuid: { en: 'id (uuid)', 'zh-CN': 'id（uuid）' },
};
const TYPE_NAMES: Record<string, { en: string; 'zh-CN': string }> = {
  string: { en: 'a text', 'zh-CN': '文本' },
  number: { en: 'a number', 'zh-CN': '数字' },
  integer: { en: 'an integer', 'zh-CN': '整数' },
  boolean: { en: 'true or false', 'zh-CN': 'true 或 false' },
  array: { en: 'a list', 'zh-CN': '列表' },
  object: { en: 'an object', 'zh-CN': '对象' },
};

/** Maps ajv errors to our issue codes, so every layer reports schema failures the same way. */
export function ajvIssues(errors: ErrorObject[] | null | undefined, base = ''): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const e of errors ?? []) {
    const at = base + e.instancePath;
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required':
        out.push({ pointer: `${at}/${String(p.missingProperty)}`, code: 'REQUIRED' });
        break;
      case 'additionalProperties':
        out.push({
          pointer: `${at}/${String(p.additionalProperty)}`,
          code: 'UNKNOWN_FIELD',
          params: { field: p.additionalProperty },
        });
        break;
      case 'type':
        out.push({
          pointer: at,
          code: 'WRONG_TYPE',
          params: { expected: TYPE_NAMES[String(p.type).split(',')[0]] ?? p.type },
        });
        break;
      case 'maxLength':
        out.push({ pointer: at, code: 'TOO_LONG', params: { limit: p.limit } });
        break;
      case 'maxItems':
        out.push({ pointer: at, code: 'TOO_MANY_ITEMS', params: { limit: p.limit } });
        break;
      case 'minLength':
        out.push({ pointer: at, code: 'TOO_SHORT', params: { limit: p.limit } });
        break;
      case 'minItems':
        out.push({ pointer: at, code: 'TOO_FEW_ITEMS', params: { limit: p.limit } });
        break;
      case 'minimum':
      case 'exclusiveMinimum':
        out.push({ pointer: at, code: 'TOO_SMALL', params: { limit: p.limit } });
        break;
      case 'maximum':
      case 'exclusiveMaximum':
        out.push({ pointer: at, code: 'TOO_LARGE', params: { limit: p.limit } });
        break;
      case 'x-scale':
        out.push({
          pointer: at,
          code: 'TOO_MANY_DECIMALS',
          params: { scale: (e.parentSchema as { 'x-scale'?: number })?.['x-scale'] },
        });
        break;
      case 'enum':
        out.push({
          pointer: at,
          code: 'NOT_AN_OPTION',
          params: { value: valueAt(e), allowed: p.allowedValues },
        });
        break;
      case 'format':
        out.push({
          pointer: at,
          code: 'BAD_FORMAT',
          params: { format: FORMAT_NAMES[String(p.format)] ?? p.format },
        });
        break;
      case 'pattern':
        out.push({ pointer: at, code: 'BAD_FORMAT', params: { format: { en: 'format', 'zh-CN': '格式' } } });
        break;
      case 'uniqueItems':
        out.push({ pointer: at, code: 'DUPLICATE_ITEMS' });
        break;
      default:
        out.push({ pointer: at, code: 'SCHEMA_MISMATCH', detail: { keyword: e.keyword } });
    }
  }
  return dedupe(out);
}

function valueAt(e: ErrorObject): unknown {
  return (e as ErrorObject & { data?: unknown }).data;
}

function dedupe(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = i.pointer + '|' + i.code;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
