import { RE2JS } from 're2js';
import { text } from '../core/messages.js';
import type { I18nText } from '../core/model.js';

/**
 * Regular expressions in rules run on RE2 (re2js, a pure-JS port): matching time is linear in
 * the text, whatever the pattern, so no tenant pattern can stall the process (ReDoS). Patterns
 * are written in JavaScript syntax, translated to RE2 syntax, and refused at deploy when RE2
 * cannot express them (back-references, look-around) or their program is too large.
 */
export const REGEX_LIMITS = {
  patternLength: 200,
  /** Instructions of the compiled RE2 program: bounds both compile and match work. */
  programSize: 1000,
  inputLength: 200,
} as const;

export type RegexProblem = 'too_long' | 'syntax' | 'flags' | 'unsupported' | 'too_complex';

/** Why a pattern is refused, in both languages (the `reason` of EXPR_BAD_REGEX). */
export function regexProblemText(p: RegexProblem): I18nText {
  switch (p) {
    case 'too_long':
      return text('R_REGEX_TOO_LONG', { max: REGEX_LIMITS.patternLength });
    case 'syntax':
      return text('R_REGEX_SYNTAX');
    case 'flags':
      return text('R_REGEX_FLAGS');
    case 'unsupported':
      return text('R_REGEX_UNSUPPORTED');
    case 'too_complex':
      return text('R_REGEX_TOO_COMPLEX', { max: REGEX_LIMITS.programSize, example: '{1,50}' });
  }
}

const FLAGS = new Set(['', 'i']);
// Back-references (\1, \k<name>): RE2 has none, and translateRegExp would silently drop `\k`.
const BACKREFERENCE = /\\(?:[1-9]|k)/;

/** A checked pattern compiled for RE2, or why it is refused. */
function compile(pattern: string, flags: string): RE2JS | RegexProblem {
  if (!FLAGS.has(flags)) return 'flags';
  if (pattern.length > REGEX_LIMITS.patternLength) return 'too_long';
  try {
    new RegExp(pattern, flags); // the syntax authors write, and the studio may preview with
  } catch {
    return 'syntax';
  }
  if (BACKREFERENCE.test(pattern.replace(/\\\\/g, ''))) return 'unsupported';
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(pattern), flags === 'i' ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (e) {
    // Valid JavaScript that RE2 refuses: look-around, or repeat counts past RE2's own limit.
    return /repeat/.test((e as Error).message) ? 'too_complex' : 'unsupported';
  }
  return re.re2().prog.numInst() > REGEX_LIMITS.programSize ? 'too_complex' : re;
}

/** Why a pattern is refused, or null when it may run. */
export function regexProblem(pattern: string, flags = ''): RegexProblem | null {
  const r = cached(pattern, flags);
  return typeof r === 'string' ? r : null;
}

const compiled = new Map<string, RE2JS | RegexProblem>();

function cached(pattern: string, flags: string): RE2JS | RegexProblem {
  const key = flags + '/' + pattern;
  let re = compiled.get(key);
  if (!re) {
    re = compile(pattern, flags);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(key, re);
  }
  return re;
}

/**
 * Work units of one test (RULE_WORK): RE2 costs up to ~0.1 µs per program instruction on a
 * 200-character text, so 10 plus one unit per 10 instructions (refused patterns cost nothing).
 */
export function regexCost(pattern: unknown, flags: unknown = ''): number {
  if (typeof pattern !== 'string' || typeof flags !== 'string') return 0;
  const re = cached(pattern, flags);
  return typeof re === 'string' ? 0 : 10 + Math.ceil(re.re2().prog.numInst() / 10);
}

/** Tests a pattern (refused ones give null); texts longer than the cap are not tested (null). */
export function safeRegexTest(value: unknown, pattern: unknown, flags: unknown = ''): boolean | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  if (text.length > REGEX_LIMITS.inputLength) return null;
  if (typeof pattern !== 'string' || typeof flags !== 'string') return null;
  // Checked at deploy; checked here again so no path can run an unchecked pattern.
  const re = cached(pattern, flags);
  return typeof re === 'string' ? null : re.test(text);
}
