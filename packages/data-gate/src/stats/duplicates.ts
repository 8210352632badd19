/**
 * Exact-duplicate injection signals over row hashes (see row-hash.ts): rows of the batch equal to an
 * earlier row of the same batch, and rows of the batch that also occur in the trusted reference (or a
 * test set). Works on streamed hashes: feed them in row order.
 */
export function duplicatesWithin(hashes: Iterable<string>): number[] {
  const seen = new Set<string>();
  const rows: number[] = [];
  let i = 0;
  for (const h of hashes) {
    if (seen.has(h)) rows.push(i);
    else seen.add(h);
    i++;
  }
  return rows;
}

export function rowsFoundIn(hashes: Iterable<string>, reference: ReadonlySet<string>): number[] {
  const rows: number[] = [];
  let i = 0;
  for (const h of hashes) {
    if (reference.has(h)) rows.push(i);
    i++;
  }
  return rows;
}
