import { compareVersions, parseVersion, publicVersionKey } from '../pep440/index';
import type { OsvAffected, OsvEvent, OsvRange } from './osv-schema';

type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';
interface SortedEvent {
  kind: EventKind;
  /** null for `introduced: "0"` (below every version) and `limit: "*"` (above every version). */
  version: string | null;
}

// At equal versions a `fixed` is applied before an `introduced` (so `fixed 3.1.1` + `introduced 3.1.1`,
// as pyspark's PYSEC-2022-236 writes adjacent ranges, leaves 3.1.1 affected), and `introduced` before
// `last_affected` (so `introduced X` + `last_affected X` affects exactly X).
const TIE_ORDER: Record<EventKind, number> = { fixed: 0, introduced: 1, last_affected: 2, limit: 3 };

function eventOf(event: OsvEvent): SortedEvent | null {
  if (event.introduced !== undefined) return { kind: 'introduced', version: event.introduced === '0' ? null : event.introduced };
  if (event.fixed !== undefined) return { kind: 'fixed', version: event.fixed };
  if (event.last_affected !== undefined) return { kind: 'last_affected', version: event.last_affected };
  if (event.limit !== undefined) return { kind: 'limit', version: event.limit === '*' ? null : event.limit };
  return null;
}

// Ranges are evaluated for every installed version and every fix candidate: sort each once.
const sortedCache = new WeakMap<OsvRange, SortedEvent[]>();

/**
 * The events of a range sorted by version, as the OSV schema's evaluation requires (real data lists them
 * unsorted: urllib3's PYSEC-2023-192 gives 2.0.0→2.0.6 before 0→1.26.17). Events whose version is not
 * PEP 440 are dropped rather than failing the whole database: a dropped `fixed` leaves the range open
 * (reported, never hidden); a dropped `introduced` can hide its range, which is why matching also reads
 * the `versions` list.
 */
export function sortedEvents(range: OsvRange): SortedEvent[] {
  const cached = sortedCache.get(range);
  if (cached) return cached;
  const events: SortedEvent[] = [];
  for (const raw of range.events) {
    const event = eventOf(raw);
    if (!event) continue;
    if (event.version !== null && !parseVersion(event.version)) continue;
    events.push(event);
  }
  const rank = (e: SortedEvent): number => (e.version !== null ? 0 : e.kind === 'introduced' ? -1 : 1);
  events.sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== 0 || rb !== 0) {
      if (ra !== rb) return ra - rb;
      return TIE_ORDER[a.kind] - TIE_ORDER[b.kind];
    }
    return compareVersions(a.version ?? '', b.version ?? '') || TIE_ORDER[a.kind] - TIE_ORDER[b.kind];
  });
  sortedCache.set(range, events);
  return events;
}

/**
 * The OSV schema's algorithm for one ECOSYSTEM (or SEMVER) range: walk the sorted events, `introduced`
 * switches on at v >= it, `fixed` off at v >= it, `last_affected` off at v > it; when `limit` events
 * exist, v must also be below one of them. `version` must be a valid PEP 440 public version: callers
 * pass the public part so that a local build (`1.13.1+cu117`) is judged as the release it was built from.
 */
export function rangeAffects(range: OsvRange, version: string): boolean {
  if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') return false;
  const events = sortedEvents(range);
  // `limit` events are rare: look for them only when the range has one, without a filtered copy per call.
  if (events.some((e) => e.kind === 'limit') && !events.some((e) => e.kind === 'limit' && (e.version === null || compareVersions(version, e.version) < 0))) {
    return false;
  }
  let affected = false;
  for (const event of events) {
    const cmp = event.version === null ? 1 : compareVersions(version, event.version);
    if (event.kind === 'introduced' && cmp >= 0) affected = true;
    else if (event.kind === 'fixed' && cmp >= 0) affected = false;
    else if (event.kind === 'last_affected' && cmp > 0) affected = false;
  }
  return affected;
}

// Every advisory of a package lists the same release history: key each version string once.
const keyCache = new Map<string, string | null>();

/** The PEP 440 equality key of a version string (null when it is not PEP 440), memoized by string. */
function versionKey(listed: string): string | null {
  let key = keyCache.get(listed);
  if (key === undefined) {
    const parsed = parseVersion(listed);
    key = parsed ? publicVersionKey(parsed) : null;
    if (keyCache.size >= 100_000) keyCache.clear();
    keyCache.set(listed, key);
  }
  return key;
}

// An entry's `versions` as a set of keys, built the second time the entry is asked about: finding the
// smallest fix asks once per fix candidate, while plain matching asks once per entry and a scan is cheaper.
const askedOnce = new WeakSet<OsvAffected>();
const listedKeys = new WeakMap<OsvAffected, Set<string | null>>();

function listsVersion(entry: OsvAffected, key: string): boolean {
  const keys = listedKeys.get(entry);
  if (keys) return keys.has(key);
  if (askedOnce.has(entry)) {
    const built = new Set(entry.versions.map(versionKey));
    listedKeys.set(entry, built);
    return built.has(key);
  }
  askedOnce.add(entry);
  const first = leadingNumber(key);
  for (const listed of entry.versions) {
    // Most listed versions differ from the installed one in their first release number, which is read
    // off the string without parsing it. Only a plain leading number counts: "v1", " 1", "01", "1!2"
    // (epoch) and anything else go the full way.
    if (first !== null && !startsWithNumber(listed, first) && leadingNumberLength(listed) > 0) continue;
    if (versionKey(listed) === key) return true;
  }
  return false;
}

const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/**
 * The release's first number when `text` starts with it plainly: a digit run without a leading zero (or
 * the single digit 0), not an epoch (`!` after it). Null otherwise.
 */
function leadingNumber(text: string): string | null {
  const length = leadingNumberLength(text);
  return length === 0 ? null : text.slice(0, length);
}

/** The length of `leadingNumber(text)`, 0 for none: asked of 330,000 listed versions, it makes no string. */
function leadingNumberLength(text: string): number {
  let end = 0;
  while (end < text.length && isDigit(text.charCodeAt(end))) end++;
  if (end === 0 || text.charCodeAt(end) === 33 /* ! */) return 0;
  if (text.charCodeAt(0) === 48 /* 0 */ && end > 1) return 0;
  return end;
}

/** Whether `text` starts with the digits `number` followed by a non-digit (or ends there). */
function startsWithNumber(text: string, number: string): boolean {
  return text.startsWith(number) && !isDigit(text.charCodeAt(number.length));
}

/**
 * Whether one `affected[]` entry covers `version` (as installed): listed in `versions` (PEP 440 equality on
 * the public version, or the exact string for versions that are not PEP 440), or inside an ECOSYSTEM range.
 * GIT ranges describe commits, not releases, and are ignored here.
 */
export function affectedEntryCovers(entry: OsvAffected, version: string): boolean {
  const parsed = parseVersion(version);
  if (!parsed) return entry.versions.includes(version.trim());
  const key = versionKey(version);
  if (key !== null && listsVersion(entry, key)) return true;
  return entry.ranges.some((range) => rangeAffects(range, parsed.public));
}
