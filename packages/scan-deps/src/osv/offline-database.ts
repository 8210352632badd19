import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CancelledError, UserError, writeFileAtomic, type GateContext } from '@aisec/core';
import { normalizeName } from '../pep440/index';
import { readAdvisoryHeader } from './advisory-names';
import type { DatabaseDescription, PackageQuery, VulnerabilityDatabase } from './database';
import { parseOsvJson, type OsvVulnerability } from './osv-schema';
import { ZipArchive } from './zip-archive';

const INDEX_FORMAT = 'aisec-osv-index/1';

/** What is cached beside the zip: which members name which package, so later runs inflate only those. */
interface IndexFile {
  format: typeof INDEX_FORMAT;
  sha256: string;
  size: number;
  members: number;
  advisories: number;
  modified: string;
  /** normalized package name → member numbers in central-directory order */
  packages: Record<string, number[]>;
}

export interface OfflineDatabaseOptions {
  /**
   * Where to keep the name index: `beside` (default) writes `<zip>.aisec-index.json` next to the zip and
   * falls back to the temp directory when that is read-only; a directory path keeps it there; `false`
   * never caches.
   */
  indexCache?: string | false;
  /**
   * The package names (any spelling) the caller is about to query. When the index has to be built, the
   * records of these packages are kept from that pass, so queries parse them without inflating them a
   * second time (on osv.dev's PyPI export and a 500-package lockfile, a quarter of the export's bytes);
   * with a cached index they are read in one pass at the first query, however the queries are split.
   */
  packages?: Iterable<string>;
}

interface Source {
  describe: string;
  /** Total members (all zip entries, or all files). */
  count: number;
  /** The members that are OSV records (`*.json`). */
  records: number[];
  /** One member's bytes. */
  read(member: number): Buffer;
  /** Several members' bytes, in whatever order reads them fastest. */
  readMany(members: readonly number[], visit: (member: number, data: Buffer) => void): void;
  /** Every record (the index pass), in any order, possibly with a helper thread; `data` is lent for the call. */
  readRecords(visit: (member: number, data: Buffer) => void): Promise<void>;
  /** The index came from the cache: `readRecords` will not be called (stops a helper thread started early). */
  skipRecords(): void;
  close(): void;
}

function errnoCode(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The zip's SHA-256 (the index cache key), read in 1 MiB blocks with synchronous reads: the stream's 64 KiB
 * chunks and event-loop turns took 35-40 ms for a 20 MB export, this 15 ms (measured on the bench export).
 */
function sha256File(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const block = Buffer.allocUnsafe(1024 * 1024);
    for (let position = 0; ; ) {
      const n = readSync(fd, block, 0, block.length, position);
      if (n === 0) break;
      hash.update(block.subarray(0, n));
      position += n;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function isIndexFile(value: unknown): value is IndexFile {
  if (typeof value !== 'object' || value === null) return false;
  const packages: unknown = Reflect.get(value, 'packages');
  return (
    Reflect.get(value, 'format') === INDEX_FORMAT &&
    typeof Reflect.get(value, 'sha256') === 'string' &&
    typeof Reflect.get(value, 'members') === 'number' &&
    typeof packages === 'object' &&
    packages !== null &&
    Object.values(packages).every((list) => Array.isArray(list) && list.every((n) => Number.isInteger(n)))
  );
}

/**
 * An OSV export on disk: a zip laid out like osv.dev's `<ecosystem>/all.zip` (flat `<ID>.json` members),
 * or a directory of `<ID>.json` files. Opening it builds (or loads) an index from normalized package name
 * to members; `query` parses only the members of the packages asked for.
 */
export class OfflineDatabase implements VulnerabilityDatabase {
  /** Few enough that a group's parsed records die young; measured on the bench lockfile (200 known packages). */
  readonly packagesPerQuery = 16;

  private constructor(
    private readonly path: string,
    private readonly source: Source,
    private readonly index: IndexFile,
    /** The packages the caller said it would query (normalized). */
    private readonly expected: ReadonlySet<string>,
    /**
     * The bytes of the expected packages' records (member → bytes): kept by the index build, or read in one
     * pass at the first query when the index came from the cache. Later queries parse from here.
     */
    private kept: Map<number, Buffer> | undefined,
  ) {}

  describe(): DatabaseDescription {
    return { kind: 'offline', location: this.path, modified: this.index.modified || undefined, advisories: this.index.advisories };
  }

  /** Member numbers per package, for tests and diagnostics. */
  get packageNames(): string[] {
    return Object.keys(this.index.packages).sort();
  }

  // async so that a bad member rejects the promise rather than throwing at the call.
  async query(packages: readonly PackageQuery[]): Promise<Map<string, OsvVulnerability[]>> {
    const wanted = new Map<string, number[]>();
    for (const pkg of packages) {
      const name = normalizeName(pkg.name);
      if (!wanted.has(name)) wanted.set(name, Object.hasOwn(this.index.packages, name) ? (this.index.packages[name] ?? []) : []);
    }
    // Every member once, read in file order (one sequential pass), however many packages share it.
    const parsed = new Map<number, OsvVulnerability>();
    const members = [...new Set([...wanted.values()].flat())];
    const parse = (member: number, data: Buffer): void => {
      parsed.set(member, parseOsvJson(data.toString('utf8'), `${this.path} (member ${member})`));
    };
    const kept = this.keptRecords();
    const unread: number[] = [];
    for (const member of members) {
      const data = kept.get(member);
      if (data) parse(member, data);
      else unread.push(member);
    }
    this.source.readMany(unread, parse);
    const result = new Map<string, OsvVulnerability[]>();
    for (const [name, list] of wanted) {
      result.set(
        name,
        list.map((member) => {
          const record = parsed.get(member);
          if (!record) throw new Error(`member ${member} was not read`);
          return record;
        }),
      );
    }
    return result;
  }

  close(): void {
    this.kept = new Map();
    this.source.close();
  }

  /** The expected packages' record bytes, read in one sequential pass the first time they are needed. */
  private keptRecords(): Map<number, Buffer> {
    if (this.kept) return this.kept;
    const kept = new Map<number, Buffer>();
    const members = new Set<number>();
    for (const name of this.expected) if (Object.hasOwn(this.index.packages, name)) for (const member of this.index.packages[name] ?? []) members.add(member);
    this.source.readMany([...members], (member, data) => kept.set(member, data));
    this.kept = kept;
    return kept;
  }

  static async open(path: string, ctx: GateContext, options: OfflineDatabaseOptions = {}): Promise<OfflineDatabase> {
    let stat;
    try {
      stat = statSync(path);
    } catch (error) {
      throw new UserError(`the offline OSV database ${path} cannot be read: ${errnoCode(error)}`, {
        file: path,
        hint: 'Download https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip and pass its path with --offline-db',
        cause: error,
      });
    }
    if (stat.isDirectory()) {
      const source = directorySource(path, ctx);
      const expected = wantedNames(options);
      const built = await buildIndex(path, source, '', stat.size, ctx, expected);
      return new OfflineDatabase(path, source, built.index, expected, built.kept);
    }
    const zip = ZipArchive.open(path, ctx.limits);
    const members = zip.entries.map((entry, i) => ({ entry, i })).filter(({ entry }) => entry.name.endsWith('.json'));
    // When no cached index can be there, the index pass (and its helper thread) starts before the zip is
    // hashed, so that the helper is up when the pass begins; otherwise only when the cache misses.
    const records = members.map(({ i }) => i);
    let indexPass = mayHaveCachedIndex(path, options) ? undefined : zip.prepareParallelRead(records);
    const source: Source = {
      describe: path,
      count: zip.entries.length,
      records: members.map(({ i }) => i),
      read: (member) => {
        const entry = zip.entries[member];
        if (!entry) throw new Error(`member ${member} out of range`);
        return zip.read(entry);
      },
      readMany: (wanted, visit) => zip.readInOrder(wanted, visit),
      readRecords: (visit) => {
        indexPass ??= zip.prepareParallelRead(records);
        return indexPass.run(visit);
      },
      skipRecords: () => indexPass?.cancel(),
      close: () => {
        indexPass?.cancel();
        zip.close();
      },
    };
    try {
      if (members.length === 0) {
        throw new UserError(`${path} is a zip but holds no OSV records (<ID>.json members)`, {
          file: path,
          hint: "Use osv.dev's PyPI export: https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip",
        });
      }
      const sha256 = sha256File(path);
      const expected = wantedNames(options);
      const cached = loadCachedIndex(path, sha256, zip.entries.length, options, ctx);
      if (cached) {
        source.skipRecords();
        return new OfflineDatabase(path, source, cached, expected, undefined);
      }
      const started = Date.now();
      const { index, kept } = await buildIndex(path, source, sha256, stat.size, ctx, expected);
      ctx.logger.debug(`indexed ${index.advisories} OSV advisories of ${path} in ${Date.now() - started} ms`);
      saveIndex(path, index, options, ctx);
      return new OfflineDatabase(path, source, index, expected, kept);
    } catch (error) {
      source.close();
      throw error;
    }
  }
}

function directorySource(path: string, ctx: GateContext): Source {
  const files = readdirSync(path)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.aisec-index.json'))
    .sort();
  if (files.length === 0) {
    throw new UserError(`${path} holds no OSV records (<ID>.json files)`, {
      file: path,
      hint: 'Point --offline-db at an OSV export zip or a directory of OSV <ID>.json files',
    });
  }
  if (files.length > ctx.limits.maxEntries) {
    throw new UserError(`${path} holds ${files.length} files, above the ${ctx.limits.maxEntries}-file limit`, { file: path });
  }
  const read = (member: number): Buffer => {
    const file = join(path, files[member] ?? '');
    const size = statSync(file).size;
    if (size > 64 * 1024 * 1024) throw new UserError(`${file} is ${size} bytes, too large for an OSV record`, { file });
    return readFileSync(file);
  };
  return {
    describe: path,
    count: files.length,
    records: files.map((_, i) => i),
    read,
    readMany: (wanted, visit) => {
      for (const member of wanted) visit(member, read(member));
    },
    readRecords: (visit) => {
      for (let member = 0; member < files.length; member++) visit(member, read(member));
      return Promise.resolve();
    },
    skipRecords: () => {},
    close: () => {},
  };
}

function wantedNames(options: OfflineDatabaseOptions): Set<string> {
  const names = new Set<string>();
  for (const name of options.packages ?? []) names.add(normalizeName(name));
  return names;
}

/** The index, and the bytes of the records that name a `wanted` package (normalized names). */
async function buildIndex(
  path: string,
  source: Source,
  sha256: string,
  size: number,
  ctx: GateContext,
  wanted: ReadonlySet<string>,
): Promise<{ index: IndexFile; kept: Map<number, Buffer> }> {
  // A plain object is what the cache file holds; names are checked with Object.hasOwn on lookup.
  const packages: Record<string, number[]> = {};
  const deadline = Date.now() + ctx.limits.timePerFileMs;
  let modified = '';
  let advisories = 0;
  let done = 0;
  const kept = new Map<number, Buffer>();
  await source.readRecords((member, data) => {
    if (ctx.signal.aborted) throw new CancelledError();
    if (Date.now() > deadline) {
      throw new UserError(`indexing ${path} took longer than ${ctx.limits.timePerFileMs} ms`, {
        file: path,
        hint: 'Raise the time limit, or use a per-ecosystem export (PyPI/all.zip) rather than all ecosystems',
      });
    }
    const header = readAdvisoryHeader(data, `${path} (member ${member})`);
    advisories++;
    if (header.modified > modified) modified = header.modified;
    let keep = false;
    for (const name of header.packages) {
      if (!Object.hasOwn(packages, name)) packages[name] = [];
      packages[name]?.push(member);
      if (wanted.has(name)) keep = true;
    }
    // A copy: the data may be a view of a helper thread's batch, which would keep the whole batch alive.
    if (keep) kept.set(member, Buffer.from(data));
    if (done % 500 === 0) ctx.logger.progress('indexing OSV advisories', done, source.records.length);
    done++;
  });
  // Read in any order (two threads); the cache and lookups keep each package's members in central-directory
  // order, and the names sorted, so that the cached file is the same bytes whichever thread read what.
  const sorted: Record<string, number[]> = {};
  for (const name of Object.keys(packages).sort()) sorted[name] = (packages[name] ?? []).sort((a, b) => a - b);
  if (Object.keys(sorted).length === 0) {
    throw new UserError(`${path} holds ${advisories} OSV records but none for PyPI`, {
      file: path,
      hint: "Use the PyPI export: https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip",
    });
  }
  return { index: { format: INDEX_FORMAT, sha256, size, members: source.count, advisories, modified, packages: sorted }, kept };
}

/**
 * Whether the zip's directory is meant to be written: its mode has the owner's write bit. Checked by
 * mode rather than by trying, because root (CI, containers) can write into a read-only data directory.
 */
function besideIsWritable(path: string): boolean {
  try {
    return (statSync(dirname(path)).mode & 0o200) !== 0;
  } catch {
    return false;
  }
}

/** The names in a directory; none when it cannot be read. */
function listed(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Whether a cached index for `path` may exist, judged without its hash (file names only). */
function mayHaveCachedIndex(path: string, options: OfflineDatabaseOptions): boolean {
  const cache = options.indexCache ?? 'beside';
  if (cache === false) return false;
  if (cache === 'beside') return existsSync(`${path}.aisec-index.json`) || listed(join(tmpdir(), 'aisec-osv-index')).length > 0;
  const prefix = `${basename(path)}.`;
  return listed(cache).some((name) => name.startsWith(prefix) && name.endsWith('.aisec-index.json'));
}

function indexPaths(path: string, sha256: string, options: OfflineDatabaseOptions): string[] {
  const cache = options.indexCache ?? 'beside';
  if (cache === false) return [];
  const inTemp = join(tmpdir(), 'aisec-osv-index', `${sha256}.json`);
  if (cache === 'beside') return besideIsWritable(path) ? [`${path}.aisec-index.json`, inTemp] : [inTemp];
  return [join(cache, `${basename(path)}.${sha256.slice(0, 16)}.aisec-index.json`)];
}

function loadCachedIndex(path: string, sha256: string, members: number, options: OfflineDatabaseOptions, ctx: GateContext): IndexFile | undefined {
  for (const candidate of indexPaths(path, sha256, options)) {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(candidate, 'utf8'));
    } catch {
      continue; // missing or unreadable: try the next place, else rebuild
    }
    if (isIndexFile(value) && value.sha256 === sha256 && value.members === members) return value;
    ctx.logger.debug(`ignoring stale or corrupt OSV index ${candidate}; rebuilding it`);
  }
  return undefined;
}

function saveIndex(path: string, index: IndexFile, options: OfflineDatabaseOptions, ctx: GateContext): void {
  for (const candidate of indexPaths(path, index.sha256, options)) {
    try {
      writeFileAtomic(candidate, JSON.stringify(index));
      return;
    } catch (error) {
      ctx.logger.debug(`cannot cache the OSV index at ${candidate}: ${errnoCode(error)}`);
    }
  }
}

/** Opens an OSV export (zip or directory) for offline matching. */
export function openOfflineDatabase(path: string, ctx: GateContext, options: OfflineDatabaseOptions = {}): Promise<OfflineDatabase> {
  return OfflineDatabase.open(path, ctx, options);
}
