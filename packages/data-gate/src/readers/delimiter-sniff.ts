/**
 * The delimiter of a delimited text file: by extension where it says (`.tsv`/`.tab` tab, `.csv`
 * comma unless the header has tabs and no commas), otherwise the candidate that occurs most often
 * outside quotes on the first line.
 */
const CANDIDATES = [',', '\t', ';', '|'] as const;

export function sniffDelimiter(path: string, firstText: string): string {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  const firstLine = firstLineOutsideQuotes(firstText);
  const count = (d: string): number => firstLine.split(d).length - 1;
  if (name.endsWith('.tsv') || name.endsWith('.tab')) return '\t';
  if (name.endsWith('.csv')) return count(',') === 0 && count('\t') > 0 ? '\t' : ',';
  let best: string = ',';
  let bestCount = 0;
  for (const d of CANDIDATES) {
    const n = count(d);
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/** The first line with quoted sections removed (so a comma inside a quoted header name is not counted). */
function firstLineOutsideQuotes(text: string): string {
  let out = '';
  let inQuotes = false;
  for (let i = 0; i < text.length && i < 65_536; i++) {
    const ch = text[i] as string;
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) break;
    else if (!inQuotes) out += ch;
  }
  return out;
}
