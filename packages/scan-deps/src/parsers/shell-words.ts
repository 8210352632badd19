/**
 * Splits a command line into words the way POSIX shells and Python's `shlex.split` do: white space
 * separates, single quotes are literal, double quotes allow backslash escapes of `"`, `\` and `$`,
 * and a bare backslash escapes the next character. pip splits a requirements line's options this way.
 */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const end = close === -1 ? text.length : close;
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      i++;
      for (; i < text.length && text[i] !== '"'; i++) {
        const d = text[i] ?? '';
        const next = text[i + 1] ?? '';
        if (d === '\\' && (next === '"' || next === '\\' || next === '$' || next === '`')) {
          word += next;
          i++;
        } else word += d;
      }
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[i + 1] ?? '';
      inWord = true;
      i++;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
