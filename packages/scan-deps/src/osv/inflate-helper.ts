import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { ZipEntry } from './zip-archive';

/** Fields per member in the table the helper reads: local header offset, sizes, CRC, method. */
const FIELDS = 5;

/**
 * A helper thread that inflates batches of zip members while the calling thread does the same and reads
 * what both inflated. Building the name index of an OSV export is mostly inflating 17,000 small members
 * (each `inflateRawSync` call also builds a zlib stream object); a second core halves that part.
 *
 * The work is shared through one counter in shared memory: each thread claims the next batch until none
 * is left, so the split follows whatever each thread can do (the helper starts ~30 ms late). The helper
 * opens the file itself and checks sizes and CRCs against the central directory, as `ZipArchive.decode`
 * does; it posts each batch's bytes (one transferred buffer) on a port that the caller drains
 * synchronously between its own batches, and pings its parent so that a waiting caller wakes up.
 *
 * Its code is a string evaluated in the worker rather than a module: it needs only node:fs and node:zlib,
 * and a string survives bundling into a single action file without a second entry point.
 */
const HELPER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { closeSync, fstatSync, openSync, readSync } = require('node:fs');
const { crc32, inflateRawSync } = require('node:zlib');
const { path, table, starts, state, port } = workerData;
const FIELDS = ${FIELDS};
const batches = starts.length - 1;
const fd = openSync(path, 'r');
const size = fstatSync(fd).size;
const window = Buffer.allocUnsafe(Math.min(1024 * 1024, size));
let windowStart = 0;
let windowEnd = 0;
function readInto(buffer, position, length) {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
function bytes(start, end) {
  if (end > size) return Buffer.alloc(0);
  if (start < windowStart || end > windowEnd) {
    if (end - start > window.length) {
      const own = Buffer.alloc(end - start);
      return own.subarray(0, readInto(own, start, end - start));
    }
    windowStart = start;
    windowEnd = start + readInto(window, start, Math.min(window.length, size - start));
    if (end > windowEnd) return Buffer.alloc(0);
  }
  return window.subarray(start - windowStart, end - windowStart);
}
function inflate(i) {
  const offset = table[i * FIELDS], compressed = table[i * FIELDS + 1], declared = table[i * FIELDS + 2];
  const header = bytes(offset, offset + 30);
  if (header.length < 30 || header.readUInt32LE(0) !== 0x04034b50) return { kind: 'header' };
  const dataStart = offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (dataStart + compressed > size) return { kind: 'truncated' };
  const raw = bytes(dataStart, dataStart + compressed);
  let data = raw;
  if (table[i * FIELDS + 4] !== 0) {
    try {
      const expected = declared + 1;
      data = inflateRawSync(raw, { maxOutputLength: expected, chunkSize: Math.min(Math.max(expected, 64), 1024 * 1024) });
    } catch (error) {
      return { kind: 'inflate', detail: error instanceof Error ? error.message : String(error) };
    }
  }
  if (data.length !== declared) return { kind: 'size' };
  if ((crc32(data) >>> 0) !== table[i * FIELDS + 3]) return { kind: 'crc' };
  return data;
}
try {
  for (let batch = Atomics.add(state, 0, 1); batch < batches; batch = Atomics.add(state, 0, 1)) {
    let total = 0;
    for (let i = starts[batch]; i < starts[batch + 1]; i++) total += table[i * FIELDS + 2];
    const out = new Uint8Array(total);
    let at = 0;
    let failure;
    for (let i = starts[batch]; i < starts[batch + 1]; i++) {
      const data = inflate(i);
      if (!(data instanceof Uint8Array)) {
        failure = { index: i - starts[batch], kind: data.kind, detail: data.detail ?? '' };
        break;
      }
      out.set(data, at);
      at += data.length;
    }
    port.postMessage({ batch, bytes: out.buffer, failure }, [out.buffer]);
    parentPort.postMessage(batch);
    if (failure) break;
  }
} finally {
  closeSync(fd);
}
`;

export interface InflateFailure {
  /** Position of the member in its batch. */
  index: number;
  kind: 'header' | 'truncated' | 'inflate' | 'size' | 'crc';
  detail: string;
}

/** One batch inflated by the helper: its members' bytes back to back, or where it stopped and why. */
export interface InflatedBatch {
  batch: number;
  bytes: ArrayBuffer;
  failure?: InflateFailure;
}

/** What the helper left undone (it stopped, failed to start, or fell silent): the caller inflates it. */
export interface UndeliveredBatch {
  undelivered: number;
}

export interface InflateHelper {
  /** The next batch for the calling thread, or the batch count when none is left. */
  claim(): number;
  /** A batch the helper has finished, if one is waiting. */
  received(): InflatedBatch | undefined;
  /** Once the caller claims no more: the helper's batches as they arrive, then any it will not deliver. */
  remaining(waitMs: number): AsyncGenerator<InflatedBatch | UndeliveredBatch>;
  stop(): void;
}

/** The problem, in the words `ZipArchive.decode` uses, so both threads report a bad member alike. */
export function describeFailure(failure: InflateFailure, name: string): string {
  const problems: Record<InflateFailure['kind'], string> = {
    header: `has a broken local header for ${name}`,
    truncated: `is truncated inside ${name}`,
    inflate: `cannot inflate ${name}: ${failure.detail}`,
    size: `has ${name} at a size other than declared`,
    crc: `fails the CRC check of ${name}`,
  };
  return problems[failure.kind];
}

function isInflatedBatch(value: unknown): value is InflatedBatch {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'batch') === 'number' && Reflect.get(value, 'bytes') instanceof ArrayBuffer;
}

/**
 * Starts the helper on `batches` (members in file order) of the zip at `path`. With `helperOnly` the
 * caller claims nothing and the helper inflates every batch.
 */
export function startInflateHelper(path: string, batches: readonly (readonly ZipEntry[])[], helperOnly: boolean): InflateHelper {
  const starts = new Int32Array(batches.length + 1);
  let members = 0;
  batches.forEach((batch, b) => {
    starts[b] = members;
    members += batch.length;
  });
  starts[batches.length] = members;
  const table = new Float64Array(members * FIELDS);
  let i = 0;
  for (const batch of batches) {
    for (const entry of batch) {
      table.set([entry.localHeaderOffset, entry.compressedSize, entry.uncompressedSize, entry.crc32, entry.method], i * FIELDS);
      i++;
    }
  }
  const state = new Int32Array(new SharedArrayBuffer(4));
  const channel = new MessageChannel();
  const mine = new Set<number>();
  const delivered = new Set<number>();
  let exited = false;
  let stopped = false;
  let wake: (() => void) | undefined;
  const signal = (): void => {
    wake?.();
  };
  const worker = new Worker(HELPER_SOURCE, {
    eval: true,
    workerData: { path, table, starts, state, port: channel.port2 },
    transferList: [channel.port2],
    stdout: true,
    stderr: true,
  });
  worker.unref();
  worker.on('message', signal);
  worker.on('error', () => {
    exited = true;
    signal();
  });
  worker.on('exit', () => {
    exited = true;
    signal();
  });
  channel.port1.unref();

  /** The helper's batches not delivered yet (once the caller claims no more). */
  const outstanding = (): number[] => {
    const left: number[] = [];
    for (let b = 0; b < batches.length; b++) if (!mine.has(b) && !delivered.has(b)) left.push(b);
    return left;
  };
  const received = (): InflatedBatch | undefined => {
    const message = receiveMessageOnPort(channel.port1)?.message;
    if (!isInflatedBatch(message)) return undefined;
    delivered.add(message.batch);
    return message;
  };
  return {
    claim() {
      if (helperOnly) return batches.length;
      const batch = Atomics.add(state, 0, 1);
      if (batch < batches.length) mine.add(batch);
      return Math.min(batch, batches.length);
    },
    received,
    async *remaining(waitMs) {
      for (;;) {
        for (let done = received(); done; done = received()) yield done;
        const left = outstanding();
        if (left.length === 0) return;
        if (exited) {
          for (const b of left) {
            delivered.add(b);
            yield { undelivered: b };
          }
          return;
        }
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await new Promise<boolean>((resolve) => {
          wake = () => resolve(false);
          timer = setTimeout(() => resolve(true), waitMs);
        });
        clearTimeout(timer);
        wake = undefined;
        if (timedOut && outstanding().length === left.length) {
          exited = true;
          void worker.terminate();
        }
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      channel.port1.close();
      if (!exited) void worker.terminate();
    },
  };
}
