import type { Logger } from '@aisec/core';

/**
 * Logger for the terminal: messages and progress go to stderr so stdout stays the report. On a TTY
 * progress is one live line rewritten in place; otherwise a line per label every few seconds.
 */
export function createTerminalLogger(stream: NodeJS.WriteStream, options: { verbose: boolean; quiet: boolean }): Logger & { clear(): void } {
  const live = stream.isTTY;
  let shown = false;
  const last = new Map<string, number>();
  const clear = () => {
    if (shown) stream.write('\r\u001b[2K');
    shown = false;
  };
  const line = (text: string) => {
    clear();
    stream.write(`${text}\n`);
  };
  return {
    clear,
    info: (m) => {
      if (!options.quiet) line(m);
    },
    warn: (m) => line(`warning: ${m}`),
    debug: (m) => {
      if (options.verbose) line(`debug: ${m}`);
    },
    progress(label, done, total) {
      if (options.quiet) return;
      const text = `${label}: ${done}${total === undefined ? '' : `/${total}`}`;
      if (live) {
        stream.write(`\r\u001b[2K${text.slice(0, (stream.columns ?? 80) - 1)}`);
        shown = true;
        return;
      }
      const now = Date.now();
      if (now - (last.get(label) ?? 0) >= 5000 || (total !== undefined && done >= total)) {
        last.set(label, now);
        line(text);
      }
    },
  };
}
