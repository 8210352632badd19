/**
 * One dependency as a manifest or lockfile declares it. Parsers produce these; the OSV matcher
 * consumes them. Line numbers are kept so annotations point at the exact line.
 */
export type DependencyKind =
  /** an exact version from a lockfile or `pip freeze` */
  | 'locked'
  /** `==X` (or `===X`) in a manifest */
  | 'pinned'
  /** a specifier that admits more than one version (`>=1,<2`, `~=1.4`): cannot be checked without resolving */
  | 'range'
  /** a name with no specifier at all */
  | 'unpinned'
  /** direct URL, VCS, local path or editable: no registry version to match */
  | 'url';

export interface DependencySource {
  /** Workspace-relative path of the manifest or lockfile. */
  path: string;
  /** 1-based line of the declaration (the `[[package]]` header for TOML locks). */
  line: number;
  column?: number;
  /** Cell or section inside the file, e.g. `cell 3` of a notebook. */
  member?: string;
}

export interface Dependency {
  /** PEP 503 normalized: lower case, runs of `-_.` as one `-`. */
  name: string;
  /** As written in the file. */
  rawName: string;
  /** The exact version when known (locked or pinned), as written. */
  version?: string;
  /** The specifier as written, e.g. `>=1.2,<2`; absent when there is none. */
  specifier?: string;
  extras?: string[];
  /** PEP 508 environment marker as written. */
  marker?: string;
  kind: DependencyKind;
  /** Development/optional group dependency (Poetry dev groups, PEP 735 groups, Pipfile `develop`). */
  dev: boolean;
  /** The group or section name, e.g. `dev`, `test`, `project.optional-dependencies.gpu`. */
  group?: string;
  /** `conda` for packages a conda file installs from a conda channel: listed, not checked against PyPI. */
  ecosystem: 'PyPI' | 'conda';
  /** Declared by the project itself rather than pulled in transitively (unknown for some locks: true). */
  direct: boolean;
  url?: string;
  hashes?: string[];
  source: DependencySource;
}

export type ManifestFormat =
  | 'requirements'
  | 'pip-freeze'
  | 'pyproject'
  | 'poetry-lock'
  | 'pipfile-lock'
  | 'uv-lock'
  | 'pdm-lock'
  | 'pylock'
  | 'conda-environment'
  | 'mlflow-mlmodel'
  | 'mlflow-python-env'
  | 'notebook';

export interface Manifest {
  /** Workspace-relative path. */
  path: string;
  format: ManifestFormat;
  dependencies: Dependency[];
  /** Things the parser saw but could not check (conda-only packages, `${ENV}` it could not expand). */
  notes: string[];
}
