import { resolve } from 'node:path';
import { type GateContext, type GateSubcommand, type OptionValues, UserError, workspaceRelative, writeFileAtomic } from '@aisec/core';
import { contractToYaml, inferContract } from '../contract/index';
import { mergeProfiles, readProfile, serializeProfile, writeProfile } from '../profile/index';
import { readTable } from '../readers/index';

function paths(values: OptionValues, ctx: GateContext): string[] {
  const v = values.paths;
  return (Array.isArray(v) ? v : []).map((p) => resolve(ctx.workspace, p));
}

function output(values: OptionValues, ctx: GateContext): string {
  const v = values.output;
  if (typeof v !== 'string' || v === '') throw new UserError('--output is required', { key: 'output' });
  return resolve(ctx.workspace, v);
}

/** `aisec data-gate profile DATA... --output PROFILE` and `--merge PROFILE...`. */
export const profileSubcommand: GateSubcommand = {
  name: 'profile',
  description: 'Write a deterministic, mergeable profile of a trusted dataset (or merge shard profiles) to use as --reference.',
  synopsis: 'DATA... --output PROFILE  |  --merge PROFILE... --output PROFILE',
  options: {
    type: 'object',
    additionalProperties: false,
    properties: {
      paths: { type: 'array', items: { type: 'string' }, description: 'Data files or folders to profile, as one table (with --merge: the shard profiles).' },
      output: { type: 'string', description: 'Where to write the profile (JSON).' },
      merge: { type: 'boolean', description: 'The paths are profiles of shards: merge them into the profile of the whole.', default: false },
      'id-columns': { type: 'array', items: { type: 'string' }, description: 'Columns left out of the row hashes. Default: columns named like ids.' },
      'label-column': { type: 'string', description: 'The label column the label-flip model is built for. Default: a column named label, target, y or class.' },
      'max-row-hashes': { type: 'integer', minimum: 0, description: 'Row hashes kept before they are dropped (then copied rows cannot be checked).', default: 5_000_000 },
    },
    required: ['output'],
  },
  async run(values, ctx) {
    const out = output(values, ctx);
    if (values.merge === true) {
      const merge = paths(values, ctx);
      const merged = mergeProfiles(merge.map((p) => readProfile(p, workspaceRelative(ctx.workspace, p))));
      writeFileAtomic(out, serializeProfile(merged));
      return `merged ${merge.length} profiles (${merged.rows} rows) into ${workspaceRelative(ctx.workspace, out)}`;
    }
    const ids = Array.isArray(values['id-columns']) ? values['id-columns'] : undefined;
    const label = typeof values['label-column'] === 'string' ? values['label-column'] : undefined;
    return writeProfile(out, { paths: paths(values, ctx), ...(ids ? { idColumns: ids } : {}), ...(label === undefined ? {} : { labelColumn: label }), maxRowHashes: typeof values['max-row-hashes'] === 'number' ? values['max-row-hashes'] : 5_000_000 }, ctx);
  },
};

/** `aisec data-gate infer DATA --output CONTRACT`: a contract from a trusted sample. */
export const inferSubcommand: GateSubcommand = {
  name: 'infer',
  description: 'Write a data contract (YAML) inferred from a trusted sample: columns, types, nullability, categories, unique ids.',
  synopsis: 'DATA --output CONTRACT',
  options: {
    type: 'object',
    additionalProperties: false,
    properties: {
      paths: { type: 'array', items: { type: 'string' }, description: 'The trusted data file or folder.' },
      output: { type: 'string', description: 'Where to write the contract (YAML).' },
      'max-categories': { type: 'integer', minimum: 0, description: 'Text columns with at most this many distinct values get allowed categories.', default: 20 },
      ranges: { type: 'boolean', description: 'Write min/max for numeric columns.', default: false },
    },
    required: ['output'],
  },
  async run(values, ctx) {
    const out = output(values, ctx);
    const [data, ...extra] = paths(values, ctx);
    if (data === undefined || extra.length > 0) throw new UserError('name exactly one data file or folder to infer a contract from', { hint: 'aisec data-gate infer data/reference.csv --output contract.yml' });
    const contract = await inferContract(readTable(data, {}, ctx), {
      maxCategories: typeof values['max-categories'] === 'number' ? values['max-categories'] : 20,
      ranges: values.ranges === true,
    });
    writeFileAtomic(out, contractToYaml(contract, `aisec data contract inferred from ${workspaceRelative(ctx.workspace, data)}; review before use`));
    return `wrote a contract of ${contract.columns.length} columns to ${workspaceRelative(ctx.workspace, out)}`;
  },
};
