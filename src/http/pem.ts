/** The node's certificate, key and CA files, read at server start. */
import { readFileSync } from 'node:fs';
import { ClearingError, ErrorCode } from '../core/errors.js';

/** The file's bytes; a file that cannot be read is a config error naming the setting (`node.tls.cert`). */
export function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ClearingError(ErrorCode.ConfigInvalid, `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
