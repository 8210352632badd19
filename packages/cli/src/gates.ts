import type { AnyGateBinding } from '@aisec/core';
import { scanDepsBinding } from '@aisec/scan-deps';
import { scanPickleBinding } from '@aisec/scan-pickle';
import { dataGateBinding } from '@aisec/data-gate';

/**
 * Every gate built so far, in the order `aisec all` runs them when .aisec.yml names none.
 * A gate joins here when its library and binding exist.
 */
export const GATES: AnyGateBinding[] = [scanDepsBinding, scanPickleBinding, dataGateBinding];
