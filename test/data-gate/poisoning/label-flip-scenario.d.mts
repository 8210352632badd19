export interface LabelFlipScenario {
  reference: string;
  current: string;
  /** 0-based data rows of `current` whose label was changed. */
  flipped: number[];
  rule: string;
}
export function generateLabelFlipScenario(options?: { rows?: number; seed?: number; flipRate?: number }): LabelFlipScenario;
