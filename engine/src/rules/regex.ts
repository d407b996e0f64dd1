/**
 * Regular expressions in rules are checked at deploy so evaluation cannot hang (ReDoS): short
 * patterns, no back-references, no quantified group that itself contains a quantifier or an
 * alternation, few unbounded quantifiers, and a cap on the length of the text tested.
 */
export const REGEX_LIMITS = { patternLength: 200, unboundedQuantifiers: 3, inputLength: 200 } as const;

export type RegexProblem =
  'too_long' | 'backreference' | 'nested_quantifier' | 'too_many_quantifiers' | 'syntax' | 'flags';

const FLAGS = new Set(['', 'i']);

/** Why a pattern is refused, or null when it is safe to run. */
export function regexProblem(pattern: string, flags = ''): RegexProblem | null {
  if (!FLAGS.has(flags)) return 'flags';
  if (pattern.length > REGEX_LIMITS.patternLength) return 'too_long';
  try {
    new RegExp(pattern, flags);
  } catch {
    return 'syntax';
  }
  // One pass over the pattern, tracking groups: for each open group, did it contain a quantifier or `|`?
  const stack: { quantified: boolean; alternation: boolean }[] = [];
  let unbounded = 0;
  let lastGroup: { quantified: boolean; alternation: boolean } | null = null;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
      if (/[1-9]/.test(n) || n === 'k') return 'backreference';
      i += 1;
      lastGroup = null;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      lastGroup = null;
      continue;
    }
    if (c === '(') {
      stack.push({ quantified: false, alternation: false });
      lastGroup = null;
      // (?:…) (?=…) (?!…) (?<=…) (?<!…) (?<name>…): skip the group syntax, it is not a quantifier
      if (pattern[i + 1] === '?') {
        const m = /^\?(:|=|!|<=|<!|<[A-Za-z_][A-Za-z0-9_]*>)/.exec(pattern.slice(i + 1));
        if (m) i += m[0].length;
      }
      continue;
    }
    if (c === ')') {
      lastGroup = stack.pop() ?? null;
      continue;
    }
    if (c === '|') {
      if (stack.length) stack[stack.length - 1].alternation = true;
      lastGroup = null;
      continue;
    }
    const q = quantifierAt(pattern, i);
    if (q) {
      if (q.unbounded) unbounded += 1;
      if (lastGroup && (lastGroup.quantified || lastGroup.alternation) && (q.unbounded || q.max > 1))
        return 'nested_quantifier';
      for (const g of stack) g.quantified = true;
      i = q.end;
      lastGroup = null;
      continue;
    }
    lastGroup = null;
  }
  return unbounded > REGEX_LIMITS.unboundedQuantifiers ? 'too_many_quantifiers' : null;
}

/** A quantifier starting at i: `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (with an optional lazy `?`). */
function quantifierAt(p: string, i: number): { unbounded: boolean; max: number; end: number } | null {
  const c = p[i];
  const lazy = (end: number) => (p[end + 1] === '?' ? end + 1 : end);
  if (c === '*' || c === '+') return { unbounded: true, max: Infinity, end: lazy(i) };
  if (c === '?') return { unbounded: false, max: 1, end: i };
  if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
    if (!m) return null;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    return { unbounded: max > 20, max, end: lazy(i + m[0].length - 1) };
  }
  return null;
}

const compiled = new Map<string, RegExp>();

/** Tests a checked pattern; texts longer than the cap are not tested (null). */
export function safeRegexTest(value: unknown, pattern: unknown, flags: unknown = ''): boolean | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  if (text.length > REGEX_LIMITS.inputLength) return null;
  if (typeof pattern !== 'string' || typeof flags !== 'string') return null;
  const key = flags + '/' + pattern;
  let re = compiled.get(key);
  if (!re) {
    // Checked at deploy; re-checked here so no path can run an unchecked pattern.
    if (regexProblem(pattern, flags)) return null;
    re = new RegExp(pattern, flags);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(key, re);
  }
  return re.test(text);
}
