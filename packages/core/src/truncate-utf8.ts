/**
 * Cuts `text` so its UTF-8 encoding is at most `maxBytes`, never inside a character, appending
 * `note` (which counts toward the limit) when anything was cut. GitHub's limits are in bytes.
 */
export function truncateUtf8(text: string, maxBytes: number, note = ''): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, truncated: false };
  const noteBytes = Buffer.byteLength(note, 'utf8');
  if (noteBytes > maxBytes) throw new Error('truncation note longer than the limit');
  let end = maxBytes - noteBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of a character.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return { text: bytes.subarray(0, end).toString('utf8') + note, truncated: true };
}
