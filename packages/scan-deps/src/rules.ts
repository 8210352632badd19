import type { Rule } from '@aisec/core';

/**
 * Rules of the dependency gate, AISEC-DEP-001..099. A published id never changes meaning; add a new one
 * instead.
 */
const HELP_URI = 'https://github.com/aisec/aisec/blob/main/actions/scan-deps/README.md';

export const RULE_IDS = {
  vulnerable: 'AISEC-DEP-001',
  deserialization: 'AISEC-DEP-002',
  unchecked: 'AISEC-DEP-003',
  lockDrift: 'AISEC-DEP-004',
} as const;

export const DEPENDENCY_RULES: readonly Rule[] = [
  {
    id: RULE_IDS.vulnerable,
    name: 'VulnerableDependency',
    shortDescription: 'A dependency is pinned to a version with a known vulnerability',
    fullDescription:
      'The exact version a lockfile, pip freeze output or `==` pin installs is affected by an advisory in the OSV database ' +
      '(PyPA advisory database, GitHub advisories). The severity is the advisory\'s CVSS base score (v3.x or v4.0) where it ' +
      'has a vector, else its own rating, else high.',
    help:
      'Upgrade the package to the version the finding names: it is the smallest release that fixes every advisory known ' +
      'for the installed version, so one upgrade clears them all. Update the pin or re-lock (`uv lock --upgrade-package NAME`, ' +
      '`poetry update NAME`, `pip-compile -P NAME`) and commit the lockfile. When no fixed version exists, remove or replace ' +
      'the package, or suppress the advisory id in `.aisec.yml` with a reason and an expiry date once you have checked that ' +
      'the vulnerable code path is not reachable.',
    helpUri: HELP_URI,
    defaultSeverity: 'high',
    tags: ['dependency', 'vulnerability', 'supply-chain'],
  },
  {
    id: RULE_IDS.deserialization,
    name: 'DeserializationVulnerabilityInDependency',
    shortDescription: 'A dependency has a known unsafe-deserialization vulnerability (loading a file can run code)',
    fullDescription:
      'The installed version of a dependency is affected by an advisory about loading untrusted serialized data (pickle, ' +
      '`torch.load`, Keras `safe_mode`, `trust_remote_code`, `yaml.load`, CWE-502). In an ML project this means a model or ' +
      'dataset file can execute code when it is loaded. The severity is the advisory\'s, as for AISEC-DEP-001.',
    help:
      'Upgrade to the version the finding names. Until then, treat every model and dataset file this project loads as code: ' +
      'scan them with aisec scan-pickle (`uses: aisec/aisec/scan-pickle@v1` or `aisec scan-pickle PATH`), load only files ' +
      'you produced, and prefer formats that cannot carry code (safetensors, `weights_only=True`, ONNX).',
    helpUri: HELP_URI,
    defaultSeverity: 'high',
    tags: ['dependency', 'vulnerability', 'deserialization', 'ml-model', 'scan-pickle'],
  },
  {
    id: RULE_IDS.unchecked,
    name: 'UnpinnedDependency',
    shortDescription: 'A requirement admits several versions, so it cannot be checked for vulnerabilities',
    fullDescription:
      'A requirement without an exact version (no specifier, or a range such as `>=1.2` or `~=2.0`) installs whatever ' +
      'version the resolver picks on the day, which may be a vulnerable one; no advisory database can say which. It is ' +
      'reported so that "no vulnerabilities" is never said of something that was not checked.',
    help:
      'Lock the project so that exact versions are recorded and checked: commit a lockfile (`uv lock`, `poetry lock`, ' +
      '`pdm lock`, `pip-compile requirements.in`, or `pip freeze > requirements.txt` from a tested environment), or pin ' +
      'the requirement with `==`. In notebooks, pin `%pip install` lines (`%pip install torch==2.5.1`). A library ' +
      'that must declare ranges can leave them in pyproject.toml and commit a lock beside it: the lock is then checked instead. ' +
      'Meanwhile `resolve: true` checks the versions pip would install today.',
    helpUri: HELP_URI,
    defaultSeverity: 'low',
    tags: ['dependency', 'supply-chain', 'reproducibility'],
  },
  {
    id: RULE_IDS.lockDrift,
    name: 'LockfileDisagreesWithManifest',
    shortDescription: 'A lockfile does not match the manifest it was made from',
    fullDescription:
      'pyproject.toml declares a package the lockfile beside it does not lock, or the lockfile pins a version outside the ' +
      'range pyproject.toml requires. The lock was not regenerated after the manifest changed, so what was checked (the ' +
      'lock) is not what the next `lock` and install will produce.',
    help: 'Regenerate the lock from the manifest (`uv lock`, `poetry lock`, `pdm lock`) and commit both files together; then the lock is checked for what will really be installed.',
    helpUri: HELP_URI,
    defaultSeverity: 'medium',
    tags: ['dependency', 'supply-chain', 'lockfile'],
  },
];
