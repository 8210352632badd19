/** A logical line of a requirements file: continuation lines joined, comments removed. */
export interface RequirementLine {
  /** 1-based line where the logical line starts. */
  line: number;
  text: string;
}

/** pip's comment rule: `#` at the start of a line or after white space (so `#egg=` in a URL survives). */
const COMMENT = /(^|\s+)#.*$/;
const COMMENT_LINE = /^\s*#/;

/**
 * pip's own order (req_file.py): join lines ending in `\` (a comment line never continues), then strip
 * comments, then drop blank lines. The joined line keeps the number of its first physical line.
 */
export function logicalLines(text: string): { lines: RequirementLine[]; comments: RequirementLine[] } {
  const lines: RequirementLine[] = [];
  const comments: RequirementLine[] = [];
  const physical = text.split(/\r\n|\r|\n/);
  let pending: string[] = [];
  let pendingLine = 0;
  const emit = (line: number, raw: string): void => {
    if (COMMENT_LINE.test(raw)) comments.push({ line, text: raw.trim() });
    const stripped = raw.replace(COMMENT, '').trim();
    if (stripped !== '') lines.push({ line, text: stripped });
  };
  physical.forEach((raw, index) => {
    const number = index + 1;
    if (!raw.endsWith('\\') || COMMENT_LINE.test(raw)) {
      if (pending.length > 0) {
        // A comment line ends a continuation; pip prefixes it with a space so it is still stripped.
        pending.push(COMMENT_LINE.test(raw) ? ` ${raw}` : raw);
        emit(pendingLine, pending.join(''));
        pending = [];
      } else emit(number, raw);
    } else {
      if (pending.length === 0) pendingLine = number;
      pending.push(raw.replace(/^\\+|\\+$/g, ''));
    }
  });
  if (pending.length > 0) emit(pendingLine, pending.join(''));
  return { lines, comments };
}
