/** Loggers for tests: one that keeps structured calls, one that keeps the real formatted lines. */
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/core/logger.js';
import type { Logger } from '../../src/core/types.js';

/** Keeps every call as [level, message, meta], without formatting. */
export function collectingLogger(): { logger: Logger; lines: [string, string, unknown][] } {
  const lines: [string, string, unknown][] = [];
  const logger: Logger = {
    error: (m, meta) => lines.push(['error', m, meta]),
    warn: (m, meta) => lines.push(['warn', m, meta]),
    info: (m, meta) => lines.push(['info', m, meta]),
    debug: (m, meta) => lines.push(['debug', m, meta]),
    child: () => logger,
  };
  return { logger, lines };
}

/** The product's own text logger, its lines kept for assertions (and printed when SC_TEST_VERBOSE is set). */
export function memoryLogger(): { log: Logger; lines: string[] } {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (c: Buffer) => {
    const text = c.toString();
    if (process.env.SC_TEST_VERBOSE) process.stderr.write(text);
    lines.push(...text.split('\n').filter(Boolean));
  });
  return { log: createLogger({ level: 'debug', format: 'text', file: null, stream }), lines };
}
