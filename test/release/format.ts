// Reads what an executable is from its headers, for the targets no machine here can start: ELF
// (class, machine, interpreter, needed libraries), Mach-O (CPU, type, the ad hoc code signature and
// its page hashes, which macOS checks before it runs a page) and PE (machine, PE32+, subsystem).
import { closeSync, openSync, readSync, statSync } from "node:fs";

function readAt(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, offset);
  return buf.subarray(0, n);
}

function withFile<T>(path: string, f: (fd: number, size: number) => T): T {
  const fd = openSync(path, "r");
  try {
    return f(fd, statSync(path).size);
  } finally {
    closeSync(fd);
  }
}

const cString = (b: Buffer, at: number): string => b.subarray(at, b.indexOf(0, at) === -1 ? b.length : b.indexOf(0, at)).toString("latin1");

export type Format =
  | { readonly kind: "elf"; readonly machine: string; readonly interpreter: string; readonly needed: readonly string[] }
  | { readonly kind: "mach-o"; readonly cpu: string; readonly executable: boolean; readonly signature: CodeSignature | null }
  | { readonly kind: "pe"; readonly machine: string; readonly pe32Plus: boolean; readonly subsystem: string }
  | { readonly kind: "unknown" };

export interface CodeSignature {
  readonly adhoc: boolean;
  readonly hash: string;
  /** The signature covers every byte before it (codeLimit is where it starts). */
  readonly coversAllCode: boolean;
  readonly pages: number;
  /** Pages whose SHA-256 differs from the code directory's: macOS kills a process that maps one. */
  readonly badPages: number;
}

const ELF_MACHINES: Record<number, string> = { 0x3e: "x86-64", 0xb7: "aarch64" };

function elf(fd: number): Format {
  const h = readAt(fd, 0, 64);
  if (h[4] !== 2 || h[5] !== 1) return { kind: "unknown" }; // 64-bit little-endian only
  const phoff = Number(h.readBigUInt64LE(0x20));
  const phentsize = h.readUInt16LE(0x36);
  const phnum = h.readUInt16LE(0x38);
  const ph = readAt(fd, phoff, phentsize * phnum);
  let interpreter = "";
  let dynamic: { offset: number; size: number } | null = null;
  const loads: Array<{ vaddr: number; offset: number; size: number }> = [];
  for (let i = 0; i < phnum; i++) {
    const p = ph.subarray(i * phentsize);
    const type = p.readUInt32LE(0);
    const offset = Number(p.readBigUInt64LE(8));
    const vaddr = Number(p.readBigUInt64LE(16));
    const size = Number(p.readBigUInt64LE(32));
    if (type === 3) interpreter = cString(readAt(fd, offset, size), 0); // PT_INTERP
    if (type === 2) dynamic = { offset, size }; // PT_DYNAMIC
    if (type === 1) loads.push({ vaddr, offset, size }); // PT_LOAD: maps addresses to file offsets
  }
  const needed: string[] = [];
  if (dynamic) {
    const d = readAt(fd, dynamic.offset, dynamic.size);
    const entries: Array<[number, number]> = [];
    for (let at = 0; at + 16 <= d.length; at += 16) entries.push([Number(d.readBigInt64LE(at)), Number(d.readBigUInt64LE(at + 8))]);
    const strtabAddr = entries.find(([tag]) => tag === 5)?.[1] ?? 0; // DT_STRTAB
    const strsz = entries.find(([tag]) => tag === 10)?.[1] ?? 0; // DT_STRSZ
    const load = loads.find((l) => strtabAddr >= l.vaddr && strtabAddr < l.vaddr + l.size);
    if (load) {
      const strtab = readAt(fd, load.offset + (strtabAddr - load.vaddr), strsz);
      for (const [tag, value] of entries) if (tag === 1) needed.push(cString(strtab, value)); // DT_NEEDED
    }
  }
  return { kind: "elf", machine: ELF_MACHINES[h.readUInt16LE(0x12)] ?? `0x${h.readUInt16LE(0x12).toString(16)}`, interpreter, needed };
}

function codeSignature(fd: number, dataoff: number, datasize: number): CodeSignature | null {
  const sb = readAt(fd, dataoff, datasize);
  if (sb.readUInt32BE(0) !== 0xfade0cc0) return null; // embedded signature SuperBlob
  for (let i = 0; i < sb.readUInt32BE(8); i++) {
    if (sb.readUInt32BE(12 + 8 * i) !== 0) continue; // slot 0: the CodeDirectory
    const cd = sb.subarray(sb.readUInt32BE(16 + 8 * i));
    if (cd.readUInt32BE(0) !== 0xfade0c02) return null;
    const [flags, hashOffset, nCodeSlots, codeLimit] = [cd.readUInt32BE(12), cd.readUInt32BE(16), cd.readUInt32BE(28), cd.readUInt32BE(32)];
    const [hashSize, hashType, pageShift] = [cd[36]!, cd[37]!, cd[39]!];
    if (hashType !== 2 || hashSize !== 32) return { adhoc: (flags & 2) !== 0, hash: `type ${hashType}`, coversAllCode: false, pages: nCodeSlots, badPages: nCodeSlots };
    const page = 2 ** pageShift;
    let badPages = 0;
    for (let k = 0; k < nCodeSlots; k++) {
      const bytes = readAt(fd, k * page, Math.min(page, codeLimit - k * page));
      const want = cd.subarray(hashOffset + k * hashSize, hashOffset + (k + 1) * hashSize);
      if (!new Bun.CryptoHasher("sha256").update(bytes).digest().equals(want)) badPages++;
    }
    const coversAllCode = codeLimit === dataoff && nCodeSlots === Math.ceil(codeLimit / page);
    return { adhoc: (flags & 2) !== 0, hash: "sha256", coversAllCode, pages: nCodeSlots, badPages };
  }
  return null;
}

function machO(fd: number): Format {
  const h = readAt(fd, 0, 32);
  const cpuType = h.readInt32LE(4);
  const sizeofcmds = h.readUInt32LE(20);
  const cmds = readAt(fd, 32, sizeofcmds);
  let signature: CodeSignature | null = null;
  for (let at = 0, i = 0; i < h.readUInt32LE(16); i++) {
    const [cmd, size] = [cmds.readUInt32LE(at), cmds.readUInt32LE(at + 4)];
    if (cmd === 0x1d) signature = codeSignature(fd, cmds.readUInt32LE(at + 8), cmds.readUInt32LE(at + 12)); // LC_CODE_SIGNATURE
    at += size;
  }
  const cpu = cpuType === 0x0100000c ? "arm64" : cpuType === 0x01000007 ? "x86-64" : `0x${cpuType.toString(16)}`;
  return { kind: "mach-o", cpu, executable: h.readUInt32LE(12) === 2, signature };
}

const PE_MACHINES: Record<number, string> = { 0x8664: "x86-64", 0xaa64: "arm64" };
const PE_SUBSYSTEMS: Record<number, string> = { 2: "windows", 3: "console" };

function pe(fd: number): Format {
  const at = readAt(fd, 0x3c, 4).readUInt32LE(0);
  const h = readAt(fd, at, 24 + 72);
  if (h.readUInt32BE(0) !== 0x50450000) return { kind: "unknown" }; // "PE\0\0"
  const machine = h.readUInt16LE(4);
  return {
    kind: "pe",
    machine: PE_MACHINES[machine] ?? `0x${machine.toString(16)}`,
    pe32Plus: h.readUInt16LE(24) === 0x20b,
    subsystem: PE_SUBSYSTEMS[h.readUInt16LE(24 + 68)] ?? String(h.readUInt16LE(24 + 68)),
  };
}

/** What the file at `path` is, read from its headers. */
export function executableFormat(path: string): Format {
  return withFile(path, (fd) => {
    const magic = readAt(fd, 0, 4);
    if (magic.readUInt32BE(0) === 0x7f454c46) return elf(fd);
    if (magic.readUInt32LE(0) === 0xfeedfacf) return machO(fd);
    if (magic.readUInt16BE(0) === 0x4d5a) return pe(fd); // "MZ"
    return { kind: "unknown" };
  });
}
