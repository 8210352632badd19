import { CancelledError } from '@aisec/core';

/** Stops the streaming gate between batches and phases once the run is cancelled. */
export function checkAbort(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
}
