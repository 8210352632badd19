import * as core from '@actions/core';
import type { Logger } from '@aisec/core';

/** Progress in a log that is not a terminal: one line per label at most every `intervalMs`. */
export function createActionLogger(intervalMs = 10_000): Logger {
  const last = new Map<string, number>();
  return {
    info: (m) => core.info(m),
    warn: (m) => core.warning(m),
    debug: (m) => core.debug(m),
    progress(label, done, total) {
      const now = Date.now();
      const finished = total !== undefined && done >= total;
      if (!finished && now - (last.get(label) ?? 0) < intervalMs) return;
      last.set(label, now);
      core.info(`${label}: ${done}${total === undefined ? '' : ` of ${total}`}`);
    },
  };
}
