import { describe, expect, it } from 'vitest';
import { modelScanNotes } from '@aisec/scan-pickle';

describe('scan-pickle notes', () => {
  it('state only the limits of the formats seen', () => {
    expect(modelScanNotes([])).toEqual([]);
    const zip = modelScanNotes(['zip']);
    expect(zip.some((n) => n.startsWith('TorchScript'))).toBe(true);
    expect(zip.some((n) => n.startsWith('Keras .h5'))).toBe(false);
    expect(modelScanNotes(['hdf5'])).toEqual([expect.stringMatching(/^Keras \.h5/)]);
    expect(modelScanNotes(['pickle', 'npy'])).toEqual([]);
  });
});
