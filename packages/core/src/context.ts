import type { Limits } from './limits';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  /**
   * Progress on long work: `done` of `total` units (files, rows, bytes). The CLI shows a live line on
   * a TTY and periodic lines otherwise; the action logs periodic lines. Cheap to call often.
   */
  progress(label: string, done: number, total?: number): void;
}

/** What a gate receives from whoever runs it (the action runner, the CLI, a test). */
export interface GateContext {
  /** Absolute path; finding locations are relative to it. */
  workspace: string;
  logger: Logger;
  limits: Limits;
  signal: AbortSignal;
}

export const silentLogger: Logger = {
  info() {},
  warn() {},
  debug() {},
  progress() {},
};
