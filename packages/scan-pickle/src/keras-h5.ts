import * as hdf5 from 'jsfive';
import type { ByteSource } from './byte-source';
import { walkKerasConfig } from './keras';
import { RULE_IDS } from './rules';
import { addFinding, limitFinding, type ScanEnv, type Where } from './scan-env';

/**
 * Keras 2 `.h5` models keep their architecture as JSON in the root attribute `model_config`; Lambda layers
 * in it carry marshalled Python bytecode. Read with jsfive (pure-JS HDF5 reader). jsfive needs the file
 * as one ArrayBuffer, so large files are first tried with only their head filled in (Keras writes the
 * attribute before the weights); what cannot be read that way is a limit finding.
 */

/** Files up to this size are read whole. */
const WHOLE_FILE_BYTES = 256 * 1024 * 1024;
/** Head read for larger files. */
const HEAD_BYTES = 64 * 1024 * 1024;

function readConfig(src: ByteSource, fill: number): unknown {
  // A zero-filled buffer of the file's size costs address space, not memory, until written.
  const buf = new ArrayBuffer(src.size);
  const view = new Uint8Array(buf);
  for (let off = 0; off < fill; off += 1 << 24) view.set(src.read(off, Math.min(1 << 24, fill - off)), off);
  const file = new hdf5.File(buf, 'model.h5');
  const raw = file.attrs.model_config;
  if (raw === undefined) return undefined;
  const text = typeof raw === 'string' ? raw : Buffer.from(raw as Uint8Array).toString('utf8');
  return JSON.parse(text) as unknown;
}

export function scanKerasH5(src: ByteSource, where: Where, env: ScanEnv): void {
  const whole = src.size <= Math.min(WHOLE_FILE_BYTES, env.bounds.maxInMemoryBytes);
  let config: unknown;
  try {
    config = readConfig(src, whole ? src.size : Math.min(HEAD_BYTES, src.size));
  } catch (error) {
    if (where.sniffed) return;
    if (whole) {
      addFinding(env, where, RULE_IDS.malformed, 'high', `The HDF5 file could not be read (${(error as Error).message}); a Keras model config in it was not checked`, 'hdf5 unreadable');
    } else {
      limitFinding(env, where, 'file-size', `The HDF5 file is ${src.size} bytes and its model config is not within the first ${HEAD_BYTES} bytes`);
    }
    return;
  }
  if (config === undefined) {
    if (!where.sniffed) addFinding(env, where, RULE_IDS.notChecked, 'info', 'HDF5 file without a Keras model_config attribute: nothing model-specific to check', 'format not checked: hdf5');
    return;
  }
  walkKerasConfig(config, where, env);
}
