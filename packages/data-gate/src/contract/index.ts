export { CONTRACT_SCHEMA, type ContractColumn, type ContractColumnType, type DataContract } from './contract-schema';
export { contractToYaml, loadContract, parseContract } from './load-contract';
export { ContractInferrer, type InferOptions, inferContract } from './infer-contract';
export { type CheckOptions, ContractChecker, type ContractViolation, type ViolationKind, checkContract, contractFindings, contractMetrics } from './check-contract';
export { type SchemaDiff, type TableSchema, likelyRename, schemaDiff } from './schema-diff';
export * from './input-rules';
