import { describe, expect, it } from 'vitest';
import { wantsColor } from '@aisec/core';
import { createTerminalLogger } from '../../packages/cli/src/progress';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 40, write: (s: string) => chunks.push(s) } as unknown as NodeJS.WriteStream };
}

describe('terminal progress', () => {
  it('rewrites one live line on a TTY and clears it before other output', () => {
    const { chunks, stream } = fakeStream(true);
    const log = createTerminalLogger(stream, { verbose: false, quiet: false });
    log.progress('files', 1, 3);
    log.progress('files', 2, 3);
    log.info('done');
    expect(chunks).toEqual(['\r\u001b[2Kfiles: 1/3', '\r\u001b[2Kfiles: 2/3', '\r\u001b[2K', 'done\n']);
  });

  it('prints plain periodic lines when not a TTY (first, then at most every 5 s, and the last)', () => {
    const { chunks, stream } = fakeStream(false);
    const log = createTerminalLogger(stream, { verbose: false, quiet: false });
    for (let i = 1; i <= 1000; i++) log.progress('rows', i, 1000);
    expect(chunks).toEqual(['rows: 1/1000\n', 'rows: 1000/1000\n']);
  });

  it('stays silent with --quiet but still warns', () => {
    const { chunks, stream } = fakeStream(false);
    const log = createTerminalLogger(stream, { verbose: false, quiet: true });
    log.progress('rows', 1);
    log.info('hello');
    log.warn('careful');
    expect(chunks).toEqual(['warning: careful\n']);
  });
});

describe('colour', () => {
  it('honours NO_COLOR and FORCE_COLOR', () => {
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
  });
});
