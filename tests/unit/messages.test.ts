import { describe, expect, it } from 'vitest';
import { MESSAGES, formatMessage } from '../../engine/src/core/messages.js';
import { LANGS } from '../../engine/src/core/model.js';

/**
 * Every message a person reads, in both languages, complete, and in one language only. Other
 * branches add codes at the end of MESSAGES: each failure names the code and the language.
 */

// Words a Chinese message may hold: product and standard names, and the API's own words a
// person types exactly as written (JSON properties, query parameters, headers).
const ZH_ALLOWED = new Set([
  // standards, formats and products
  'API',
  'ID',
  'id',
  'ids',
  'URL',
  'JSON',
  'UTF-8',
  'ISO',
  'RE2',
  'SQL',
  'ASCII',
  'ETag',
  'Bearer',
  'Content-Type',
  'Content-Encoding',
  'If-Match',
  'application/json',
  'gzip',
  'deflate',
  'br',
  'uuid',
  'UUID',
  'YYYY-MM-DD',
  // API words typed as written
  'and',
  'or',
  'not',
  'true',
  'false',
  'var',
  'limit',
  'cursor',
  'fields',
  'q',
  'comment',
  'confirm',
  'missing',
  'retire',
  'expectPlan',
  'planHash',
  'allowLossy',
  'nameField',
  'controllingField',
  'dependencies',
  'records',
  'operations',
  'op',
  'create',
  'update',
  'delete',
  'version',
  '$override',
]);

const CJK = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/;
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** English words left in a Chinese text once placeholders and allowed words are taken out. */
function englishIn(zh: string): string[] {
  const bare = zh.replace(/\{\w+\}/g, ' ').replace(/U\+[0-9A-F]{4,6}/g, ' ');
  const words = bare.match(/[$A-Za-z][A-Za-z0-9/_$-]*[A-Za-z0-9]|[A-Za-z]/g) ?? [];
  // a word with a digit is an identifier or an example value (a uuid), not English
  return words.filter((w) => !ZH_ALLOWED.has(w) && !/^[a-z]$/.test(w) && !/\d/.test(w));
}

const codes = Object.keys(MESSAGES);

describe('the message catalogue', () => {
  it('has codes', () => expect(codes.length).toBeGreaterThan(50));

  it.each(codes)('%s: both languages present and non-empty', (code) => {
    for (const lang of LANGS) {
      const m = (MESSAGES[code] as Record<string, unknown>)[lang];
      expect(typeof m === 'string' && m.trim() !== '', `${code} [${lang}] is missing or empty`).toBe(true);
    }
    expect(
      Object.keys(MESSAGES[code]).sort(),
      `${code} has languages other than ${LANGS.join(', ')}`,
    ).toEqual([...LANGS].sort());
  });

  it.each(codes)('%s: both languages share the same placeholders', (code) => {
    const en = placeholders(MESSAGES[code].en);
    const zh = placeholders(MESSAGES[code]['zh-CN']);
    expect(zh, `${code}: [en] has {${en.join('}, {')}}, [zh-CN] has {${zh.join('}, {')}}`).toEqual(en);
  });

  it.each(codes)('%s: English holds no Chinese', (code) => {
    const en = MESSAGES[code].en;
    expect(CJK.test(en), `${code} [en] contains Chinese text: ${en}`).toBe(false);
  });

  it.each(codes)('%s: Chinese holds no English words', (code) => {
    const zh = MESSAGES[code]['zh-CN'];
    const left = englishIn(zh);
    expect(left, `${code} [zh-CN] contains English words ${JSON.stringify(left)}: ${zh}`).toEqual([]);
    // and it is Chinese, unless it is only a placeholder (VALIDATION_RULE shows the rule's own message)
    if (zh.replace(/\{\w+\}/g, '').trim())
      expect(CJK.test(zh), `${code} [zh-CN] is not Chinese: ${zh}`).toBe(true);
  });

  it('fills placeholders, and localizes params given in both languages', () => {
    expect(formatMessage('R_UNKNOWN_FIELD', 'zh-CN', { field: 'levl' })).toBe('没有字段“levl”');
    expect(
      formatMessage('BAD_FILTER', 'zh-CN', {
        pointer: '/levl',
        reason: { en: 'there is no field "levl"', 'zh-CN': '没有字段“levl”' },
      }),
    ).toBe('过滤条件 /levl 无效：没有字段“levl”');
  });

  it('the checker catches what it should', () => {
    expect(englishIn('过滤条件 /levl 无效：unknown field "levl"')).toEqual([
      'levl',
      'unknown',
      'field',
      'levl',
    ]);
    expect(englishIn('请使用 {name} 和 API、JSON、RE2')).toEqual([]);
  });
});
