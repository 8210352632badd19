import calculator from 'ae-cvss-calculator';

/**
 * CVSS base scores through ae-cvss-calculator ({metæffekt}, Apache-2.0), which implements the FIRST
 * specifications for v3.0, v3.1 and v4.0 (v4.0's macro-vector lookup is not something to hand-write).
 * The package is a UMD bundle: its classes sit on the default export under Node's ESM loader.
 */
const { Cvss3P0, Cvss3P1, Cvss4P0 } = calculator;

export interface CvssScore {
  version: '3.0' | '3.1' | '4.0';
  vector: string;
  baseScore: number;
}

/** The base score of a CVSS v3.x or v4.0 vector, or null when the vector is malformed or incomplete. */
export function cvssBaseScore(vector: string): CvssScore | null {
  const text = vector.trim();
  try {
    if (text.startsWith('CVSS:3.1/')) return v3(new Cvss3P1(text), '3.1', text);
    if (text.startsWith('CVSS:3.0/')) return v3(new Cvss3P0(text), '3.0', text);
    if (text.startsWith('CVSS:4.0/')) {
      const v = new Cvss4P0(text);
      if (!v.isBaseFullyDefined()) return null;
      const base = v.calculateScores().base;
      return base === undefined ? null : { version: '4.0', vector: text, baseScore: base };
    }
  } catch {
    // The library throws on unknown metrics or values: an advisory's malformed vector is just not scored.
    return null;
  }
  return null;
}

function v3(v: InstanceType<typeof Cvss3P1> | InstanceType<typeof Cvss3P0>, version: '3.0' | '3.1', vector: string): CvssScore | null {
  if (!v.isBaseFullyDefined()) return null;
  const base = v.calculateScores().base;
  return base === undefined ? null : { version, vector, baseScore: base };
}
