import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private temporary folder for spilled runs (mkdtemp: mode 0700, a random name), removed as a whole
 * by `remove()`, which the gate calls in a `finally` so success, a UserError and a cancellation all
 * leave nothing behind.
 */
export class SpillDir {
  readonly path: string;
  private next = 0;
  private removed = false;
  private readonly closers = new Set<() => void>();

  constructor(parent: string = tmpdir()) {
    this.path = mkdtempSync(join(parent, 'aisec-data-gate-'));
  }

  /** A fresh file name inside the folder. */
  file(kind: string): string {
    if (this.removed) throw new Error('spill folder already removed');
    return join(this.path, `${kind}-${this.next++}.bin`);
  }

  /** Registers something to close (an open spill file) when the folder is removed; returns the unregister call. */
  onRemove(close: () => void): () => void {
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  remove(): void {
    if (this.removed) return;
    this.removed = true;
    // Files still open (an error or a cancellation cut the run short) are closed first.
    for (const close of this.closers) {
      try {
        close();
      } catch {
        // Closing is best effort here: the folder goes anyway, and the run's own error is what matters.
      }
    }
    this.closers.clear();
    rmSync(this.path, { recursive: true, force: true });
  }
}
