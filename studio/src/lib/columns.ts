/**
 * A table column wide enough for its header on one line: the label's estimated width at the
 * header's 14 px semibold (CJK characters about one em, Latin ones about half), the cell's padding,
 * and the sort caret when the column sorts. Never narrower than `min`.
 */
export function columnWidth(label: string, opts: { sortable?: boolean; min?: number } = {}): number {
  let text = 0;
  for (const ch of label) {
    const c = ch.codePointAt(0)!;
    text += c >= 0x2e80 ? 14.5 : /[A-Z]/.test(ch) ? 9.5 : /[mwMW]/.test(ch) ? 11 : 8;
  }
  const width = Math.ceil(text + 26 + (opts.sortable ? 26 : 0));
  return Math.max(opts.min ?? 0, width);
}
