/**
 * The JSON Schema of a data contract file (YAML or JSON). Documented here because it is the
 * reference: `aisec data-gate infer` writes files that validate against it.
 *
 * ```yaml
 * version: 1
 * columns:
 *   - name: id
 *     type: integer          # integer | number | boolean | string
 *     nullable: false        # default true
 *     unique: true           # default false
 *   - name: x
 *     type: number
 *     min: -10               # inclusive bounds, numbers only
 *     max: 10
 *   - name: cat
 *     type: string
 *     categories: [A, B, C]  # allowed values
 *   - name: email
 *     type: string
 *     pattern: '^[^@]+@[^@]+$'   # ECMAScript regular expression, tested on the whole text
 * additionalColumns: false   # columns not listed are findings (default false)
 * ordered: false             # the listed order must hold (default false)
 * rowSchema: {}              # optional JSON Schema (draft-07) each row must satisfy, as {column: value}
 * ```
 */
export const CONTRACT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://aisec.dev/schemas/data-contract-v1.json',
  title: 'aisec data contract',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'columns'],
  properties: {
    version: { const: 1, description: 'Contract format version.' },
    description: { type: 'string' },
    columns: {
      type: 'array',
      maxItems: 16384,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'type'],
        properties: {
          name: { type: 'string', minLength: 1 },
          type: { enum: ['integer', 'number', 'boolean', 'string'] },
          description: { type: 'string' },
          nullable: { type: 'boolean', default: true },
          unique: { type: 'boolean', default: false },
          min: { type: 'number' },
          max: { type: 'number' },
          categories: { type: 'array', items: { type: ['string', 'number', 'boolean'] }, uniqueItems: true, maxItems: 100000 },
          pattern: { type: 'string', format: 'regex' },
        },
      },
    },
    additionalColumns: { type: 'boolean', default: false },
    ordered: { type: 'boolean', default: false },
    rowSchema: { type: ['object', 'boolean'], description: 'JSON Schema (draft-07) for one row as {column: value}.' },
  },
} as const;

export type ContractColumnType = 'integer' | 'number' | 'boolean' | 'string';

export interface ContractColumn {
  name: string;
  type: ContractColumnType;
  description?: string;
  nullable?: boolean;
  unique?: boolean;
  min?: number;
  max?: number;
  categories?: (string | number | boolean)[];
  pattern?: string;
}

export interface DataContract {
  version: 1;
  description?: string;
  columns: ContractColumn[];
  additionalColumns?: boolean;
  ordered?: boolean;
  rowSchema?: Record<string, unknown> | boolean;
}
