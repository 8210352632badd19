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

  constructor(parent: string = tmpdir()) {
    this.path = mkdtempSync(join(parent, 'aisec-data-gate-'));
  }

  /** A fresh file name inside the folder. */
  file(kind: string): string {
    if (this.removed) throw new Error('spill folder already removed');
    return join(this.path, `${kind}-${this.next++}.bin`);
  }

  remove(): void {
    if (this.removed) return;
    this.removed = true;
    rmSync(this.path, { recursive: true, force: true });
  }
}
