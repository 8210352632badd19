import type { RowBatch } from '../readers/index';
import { isIdName, pickLabelColumn } from '../gate/column-roles';
import { type LabelFlipOptions, type LabelFlipResult, LabelFlipScanner } from './label-flip';
import { LabelModelBuilder } from './label-model';

/**
 * The label-flip check as the gate's two reads see it: the reference's batches build the model, then
 * the batch's batches are scored. The label column is picked at the reference's first batch (as the
 * other label signals pick it) and the features are every other column but ids, the model itself
 * dropping free text, so the in-memory and the streaming exact modes run exactly the same check.
 */
export class LabelFlipPass {
  private builder: LabelModelBuilder | undefined;
  private scanner: LabelFlipScanner | undefined;
  private decided = false;
  /** The label column, once the reference's first batch has named its columns. */
  labelColumn: string | undefined;

  constructor(
    private readonly options: { labelColumn?: string; idColumns?: string[] },
    private readonly flip: Partial<LabelFlipOptions> = {},
  ) {}

  reference(batch: RowBatch): void {
    if (!this.decided && batch.columns.length > 0) {
      this.decided = true;
      this.labelColumn = pickLabelColumn(batch.columns, this.options.labelColumn);
      if (this.labelColumn !== undefined) {
        const ids = this.options.idColumns ?? batch.columns.filter(isIdName);
        this.builder = new LabelModelBuilder({ labelColumn: this.labelColumn, exclude: ids.filter((c) => c !== this.labelColumn) });
      }
    }
    this.builder?.push(batch);
  }

  current(batch: RowBatch): void {
    if (this.builder === undefined) return;
    this.scanner ??= new LabelFlipScanner(this.builder.finish(), this.flip);
    this.scanner.push(batch);
  }

  /** The findings, or undefined when there was no label column to check. */
  finish(): LabelFlipResult | undefined {
    if (this.builder === undefined) return undefined;
    this.scanner ??= new LabelFlipScanner(this.builder.finish(), this.flip);
    return this.scanner.finish();
  }
}
