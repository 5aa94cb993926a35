/**
 * Reads a zip archive's central directory and inflates one entry at a time, with Node's native
 * zlib (fflate's unzipSync
 * would hold every file at once, which for a 10,000-item package is tens of megabytes kept alive
 * for the whole parse). Stored and deflated entries; ZIP64 archives fall back to unzipSync.
 */
import { inflateRawSync } from 'node:zlib';
import { unzipSync } from 'fflate';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export class ZipReader {
  private readonly view: DataView;
  readonly entries = new Map<string, ZipEntry>();
  private fallback: Record<string, Uint8Array> | null = null;

  constructor(
    private readonly bytes: Uint8Array,
    filter: (name: string) => boolean = () => true,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const eocd = this.findEndOfDirectory();
    const count = this.view.getUint16(eocd + 10, true);
    const dirOffset = this.view.getUint32(eocd + 16, true);
    if (count === 0xffff || dirOffset === 0xffffffff) {
      this.fallback = unzipSync(bytes, { filter: (f) => filter(f.name) });
      for (const [name, data] of Object.entries(this.fallback)) {
        this.entries.set(name, { name, method: -1, compressedSize: data.length, size: data.length, localOffset: 0 });
      }
      return;
    }
    let p = dirOffset;
    const utf8 = new TextDecoder('utf-8');
    const latin1 = new TextDecoder('latin1');
    for (let k = 0; k < count; k++) {
      if (p + 46 > bytes.length || this.view.getUint32(p, true) !== 0x02014b50) throw new Error('the zip central directory is damaged');
      const flags = this.view.getUint16(p + 8, true);
      const method = this.view.getUint16(p + 10, true);
      const compressedSize = this.view.getUint32(p + 20, true);
      const size = this.view.getUint32(p + 24, true);
      const nameLength = this.view.getUint16(p + 28, true);
      const extraLength = this.view.getUint16(p + 30, true);
      const commentLength = this.view.getUint16(p + 32, true);
      const localOffset = this.view.getUint32(p + 42, true);
      const rawName = bytes.subarray(p + 46, p + 46 + nameLength);
      const name = (flags & 0x800 ? utf8 : latin1).decode(rawName);
      if (!name.endsWith('/') && filter(name)) this.entries.set(name, { name, method, compressedSize, size, localOffset });
      p += 46 + nameLength + extraLength + commentLength;
    }
  }

  private findEndOfDirectory(): number {
    const min = Math.max(0, this.bytes.length - 22 - 0xffff);
    for (let p = this.bytes.length - 22; p >= min; p--) {
      if (this.view.getUint32(p, true) === 0x06054b50) return p;
    }
    throw new Error('not a zip archive (no end of central directory)');
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  read(name: string): Uint8Array | null {
    const entry = this.entries.get(name);
    if (!entry) return null;
    if (this.fallback) return this.fallback[name] ?? null;
    const p = entry.localOffset;
    if (this.view.getUint32(p, true) !== 0x04034b50) throw new Error(`zip entry ${name} is damaged`);
    const start = p + 30 + this.view.getUint16(p + 26, true) + this.view.getUint16(p + 28, true);
    const data = this.bytes.subarray(start, start + entry.compressedSize);
    if (entry.method === 0) return data;
    if (entry.method === 8) return inflateRawSync(data);
    throw new Error(`zip entry ${name} uses compression method ${entry.method}, which is not supported`);
  }
}
