import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** A file as adopt read it: enough to rewrite it faithfully and to notice a later change. */
export interface FileState {
  /** Repo-relative. */
  file: string;
  exists: boolean;
  /** Decoded text, BOM stripped ('' when the file does not exist). */
  text: string;
  bom: boolean;
  /** sha256 hex of the bytes; undefined when the file does not exist. */
  digest: string | undefined;
  /** The bytes decode as UTF-8 and encode back to themselves: safe to rewrite as text. */
  utf8: boolean;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function decodeBytes(bytes: Buffer): { text: string; bom: boolean; utf8: boolean } {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  const text = body.toString('utf8');
  return { text, bom, utf8: Buffer.from(text, 'utf8').equals(body) };
}

/** The bytes to write for `text`, with the BOM back when the file had one. */
export function encodeText(text: string, bom: boolean): Buffer {
  const body = Buffer.from(text, 'utf8');
  return bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
}

export async function readFileState(root: string, file: string): Promise<FileState> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path.join(root, file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return { file, exists: false, text: '', bom: false, digest: undefined, utf8: true };
    }
    throw error;
  }
  const { text, bom, utf8 } = decodeBytes(bytes);
  return { file, exists: true, text, bom, digest: sha256(bytes), utf8 };
}
