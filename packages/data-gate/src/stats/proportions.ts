import { normalCdf } from './special/normal';

/**
 * Category-frequency effect sizes and Evidently's proportions z-test for binary columns.
 */
export interface ZTestResult {
  z: number;
  pvalue: number;
}

/**
 * Evidently's two-proportion z-test: the keys (sorted) map to 0 for the first and 1 for the second;
 * pooled proportion; p = 2·(1 − Φ(|z|)), computed that way (not by the survival function) as Evidently
 * does.
 */
export function proportionsZTest(refCounts: readonly [number, number], curCounts: readonly [number, number]): ZTestResult {
  const n1 = refCounts[0] + refCounts[1];
  const n2 = curCounts[0] + curCounts[1];
  const p1 = refCounts[1] / n1;
  const p2 = curCounts[1] / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2));
  return { z, pvalue: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** TFDV's L-infinity distance: the largest |ref share − cur share| and the first key where it occurs. */
export function lInfinity<K>(keys: readonly K[], refCounts: readonly number[], curCounts: readonly number[]): { value: number; key: K | undefined } {
  const nRef = refCounts.reduce((s, c) => s + c, 0);
  const nCur = curCounts.reduce((s, c) => s + c, 0);
  let value = -Infinity;
  let key: K | undefined;
  for (let i = 0; i < keys.length; i++) {
    const d = Math.abs(refCounts[i]! / nRef - curCounts[i]! / nCur);
    if (d > value) {
      value = d;
      key = keys[i];
    }
  }
  return { value, key };
}

/** Total variation distance, ½·Σ|p_ref − p_cur|. */
export function totalVariation(refCounts: readonly number[], curCounts: readonly number[]): number {
  const nRef = refCounts.reduce((s, c) => s + c, 0);
  const nCur = curCounts.reduce((s, c) => s + c, 0);
  let s = 0;
  for (let i = 0; i < refCounts.length; i++) s += Math.abs(refCounts[i]! / nRef - curCounts[i]! / nCur);
  return 0.5 * s;
}
