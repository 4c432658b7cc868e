/**
 * The PKI's files: the CA's pair in a directory (`ca.crt`, `ca.key`), node pairs beside it or
 * elsewhere, keys readable by their owner only (0600), and nothing replaced without --force.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClearingError, ErrorCode } from '../core/errors.js';
import { pemCertificateBlocks } from '../config/pem.js';
import type { CertificateAndKey } from './certificates.js';

export const CA_CERT_FILE = 'ca.crt';
export const CA_KEY_FILE = 'ca.key';

/** Mode of a private key file: its owner reads and writes it, nobody else. */
export const KEY_MODE = 0o600;
/** Mode of a certificate file: public. */
export const CERT_MODE = 0o644;

export interface OutputFile {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

function errno(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

/** Creates `dir` (mode 0700: it may hold keys) unless it exists. */
export function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new ClearingError(ErrorCode.FileUnusable, `cannot create directory ${dir}: ${errno(err)}`);
  }
}

/** Refuses (a usage error) when any of `paths` is there already, unless `force`. */
export function refuseExisting(paths: readonly string[], force: boolean): void {
  if (force) return;
  const there = paths.filter((p) => existsSync(p));
  if (there.length > 0) {
    throw new ClearingError(ErrorCode.Usage, `${there.join(' and ')} already ${there.length > 1 ? 'exist' : 'exists'}; add --force to replace ${there.length > 1 ? 'them' : 'it'}`);
  }
}

/**
 * Writes every file with its mode, or none when one is there already and `force` is false.
 * Each is written under a temporary name first, then all are renamed into place: a reader never
 * sees half a file, a replaced key never passes through a wider mode, and a failed write leaves
 * the old pair as it was (never a new key beside an old certificate).
 */
export function writeFiles(files: readonly OutputFile[], force: boolean): void {
  refuseExisting(files.map((f) => f.path), force);
  const temps = files.map((f) => ({ ...f, tmp: `${f.path}.tmp-${process.pid}` }));
  const fail = (failed: OutputFile, err: unknown, left: readonly { tmp: string }[]): never => {
    for (const t of left) rmSync(t.tmp, { force: true });
    throw new ClearingError(ErrorCode.FileUnusable, `cannot write ${failed.path}: ${errno(err)}`);
  };
  temps.forEach((f, i) => {
    try {
      writeFileSync(f.tmp, f.content, { mode: f.mode, flag: 'wx' });
      chmodSync(f.tmp, f.mode); // the umask may have narrowed it (never widened: 0600 stays 0600)
    } catch (err) {
      fail(f, err, temps.slice(0, i + 1));
    }
  });
  temps.forEach((f, i) => {
    try {
      renameSync(f.tmp, f.path);
    } catch (err) {
      fail(f, err, temps.slice(i));
    }
  });
}

/** The CA's certificate and key from `dir`; a clear error when it has none. */
export function readCa(dir: string): CertificateAndKey {
  const cert = join(dir, CA_CERT_FILE);
  const key = join(dir, CA_KEY_FILE);
  if (!existsSync(cert) && !existsSync(key)) {
    throw new ClearingError(ErrorCode.FileUnusable, `no network CA in ${dir} (no ${CA_CERT_FILE}, no ${CA_KEY_FILE}): make one with 'soar-clearing pki init --dir ${dir}', or name its directory with --ca-dir`);
  }
  const read = (path: string, what: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new ClearingError(ErrorCode.FileUnusable, `cannot read the CA's ${what} ${path}: ${errno(err)}`);
    }
  };
  return { certPem: read(cert, 'certificate'), keyPem: read(key, 'key') };
}

/** Every certificate of a PEM file (or the one of a DER file), parsed. */
export function readCertificates(path: string): X509Certificate[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ClearingError(ErrorCode.FileUnusable, `cannot read ${path}: ${errno(err)}`);
  }
  const text = bytes.toString('latin1');
  const blocks = pemCertificateBlocks(text);
  try {
    if (blocks.length > 0) return blocks.map((b) => new X509Certificate(b));
    if (!text.includes('-----BEGIN')) return [new X509Certificate(bytes)];
  } catch (err) {
    throw new ClearingError(ErrorCode.FileUnusable, `${path} holds no readable certificate (${(err as Error).message})`);
  }
  const key = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text) ? ' (it holds a private key; show its certificate file)' : '';
  throw new ClearingError(ErrorCode.FileUnusable, `${path} holds no certificate${key}`);
}
