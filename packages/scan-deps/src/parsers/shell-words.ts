/**
 * Splits a command line into words the way POSIX shells and Python's `shlex.split` do: white space
 * separates, single quotes are literal, double quotes allow backslash escapes of `"`, `\` and `$`,
 * and a bare backslash escapes the next character. pip splits a requirements line's options this way.
 */
export function shellWords(text: string): string[] {
  return shellCommand(text, false).words;
}

/**
 * Like `shellWords`, and with `redirects` set, reads unquoted `>`, `>>`, `<` and `2>&1` as a shell does:
 * they end the word before them (a bare file-descriptor number before them is dropped) and take the
 * next word as their target. `pip install numpy>=1.24` installs numpy unpinned and writes to `=1.24`.
 */
export function shellCommand(text: string, redirects = true): { words: string[]; redirects: string[] } {
  const targets: string[] = [];
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
    } else if (redirects && (c === '>' || c === '<')) {
      if (inWord && !/^\d+$/.test(word)) words.push(word);
      word = '';
      inWord = false;
      let j = i + 1;
      while (text[j] === '>' || text[j] === '&') j++;
      while (j < text.length && /\s/.test(text[j] ?? '')) j++;
      let end = j;
      while (end < text.length && !/\s/.test(text[end] ?? '')) end++;
      targets.push(c + text.slice(j, end));
      i = end - 1;
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
  return { words, redirects: targets };
}
