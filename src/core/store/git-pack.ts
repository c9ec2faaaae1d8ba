/**
 * Git pack files, written in-process: a node's objects (its script's blob, tree and commit; or its note's blob,
 * the notes tree and the notes commit) go into one pack with its version-2 index, two files where loose objects
 * took three files and up to three new fan-out folders. At the paper's scale the run history's file-system calls
 * were a third of the harness's time per node (README "Capacity"). Git reads many small packs as it reads loose
 * objects, and `git gc` merges them.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { inFolder, writeFileAtomicSync } from '../fs-atomic.js';
import type { ObjectType } from './git-objects.js';

export interface GitObject {
  type: ObjectType;
  content: Buffer;
}

const TYPE_CODES: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3 };

/** The object's id, as `git hash-object -t TYPE` computes it. */
export function objectId(object: GitObject): string {
  return sha1(Buffer.from(`${object.type} ${object.content.length}\0`), object.content).toString('hex');
}

/** Writes the objects as one pack and its index under objects/pack; returns their ids in the order given. */
export function writePack(gitDir: string, objects: readonly GitObject[]): string[] {
  const ids = objects.map(objectId);
  const parts: Buffer[] = [Buffer.from('PACK'), uint32(2), uint32(objects.length)];
  const entries: PackEntry[] = [];
  let offset = 12;
  objects.forEach((object, i) => {
    const packed = Buffer.concat([entryHeader(TYPE_CODES[object.type], object.content.length), deflateSync(object.content)]);
    entries.push({ id: ids[i]!, offset, crc: crc32(packed) });
    parts.push(packed);
    offset += packed.length;
  });
  const checksum = sha1(...parts);
  const base = join(gitDir, 'objects', 'pack', `pack-${checksum.toString('hex')}`);
  // The pack before its index, and only the index renamed into place: git finds a pack through its index, so a
  // crash leaves at most an unused pack (removed when the history is next opened), never an index without its pack.
  inFolder(dirname(base), () => writeFileSync(`${base}.pack`, Buffer.concat([...parts, checksum])));
  writeFileAtomicSync(`${base}.idx`, packIndex(entries, checksum));
  return ids;
}

interface PackEntry {
  id: string;
  offset: number;
  crc: number;
}

/** Version 2 of git's pack index: fan-out table, sorted ids, CRCs, 31-bit offsets, then the two checksums. */
function packIndex(entries: readonly PackEntry[], packChecksum: Buffer): Buffer {
  const sorted = [...new Map(entries.map((e) => [e.id, e])).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const fanout = Buffer.alloc(256 * 4);
  for (let byte = 0, count = 0; byte < 256; byte++) {
    while (count < sorted.length && parseInt(sorted[count]!.id.slice(0, 2), 16) <= byte) count++;
    fanout.writeUInt32BE(count, byte * 4);
  }
  const body = Buffer.concat([
    Buffer.from([0xff, 0x74, 0x4f, 0x63]),
    uint32(2),
    fanout,
    ...sorted.map((e) => Buffer.from(e.id, 'hex')),
    ...sorted.map((e) => uint32(e.crc)),
    ...sorted.map((e) => uint32(e.offset)),
    packChecksum,
  ]);
  return Buffer.concat([body, sha1(body)]);
}

/** An entry's type and inflated size: 3 bits of type and 4 of size, then 7 bits of size a byte, low bits first. */
function entryHeader(type: number, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (type << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

function sha1(...parts: Buffer[]): Buffer {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
}
