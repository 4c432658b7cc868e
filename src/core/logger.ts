/**
 * winston logger: text (one readable line) or JSON lines, to stderr and optionally a file.
 * Every line passes through a scrubber that replaces each configured secret (API key secret,
 * password, STOMP passcode) with *** wherever it appears, message or metadata.
 */
import winston from 'winston';
import type { Logger } from './types.js';

const REDACTED = '***';
const SPLAT = Symbol.for('splat');

function scrubValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, secrets, depth + 1);
  return out;
}

function scrub(secrets: readonly string[]): winston.Logform.Format {
  // Short strings ("a", "1") would mangle every line; real secrets are longer.
  const list = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  return winston.format((info) => {
    if (list.length === 0) return info;
    for (const key of Object.keys(info)) info[key] = scrubValue(info[key], list);
    delete (info as Record<symbol, unknown>)[SPLAT];
    return info;
  })();
}

const textLine = winston.format.printf((info) => {
  const { timestamp, level, message, ...meta } = info as Record<string, unknown>;
  const extras = Object.entries(meta)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(timestamp)} ${String(level).toUpperCase().padEnd(5)} ${String(message)}${extras ? ` ${extras}` : ''}`;
});

export const LogFormat = { Text: 'text', Json: 'json' } as const;
export type LogFormat = (typeof LogFormat)[keyof typeof LogFormat];

export const LogLevel = {
  Error: 'error',
  Warn: 'warn',
  Info: 'info',
  Debug: 'debug',
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

export interface LoggingConfig {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Also log to this file (absolute path), or null for stderr only. */
  readonly file: string | null;
}

export interface LoggerOptions extends LoggingConfig {
  readonly secrets?: readonly string[];
  /** Where console output goes; tests pass a stream to capture lines. */
  readonly stream?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const line = opts.format === 'json' ? winston.format.json() : textLine;
  const format = winston.format.combine(scrub(opts.secrets ?? []), winston.format.timestamp(), line);
  const transports: winston.transport[] = [
    opts.stream
      ? new winston.transports.Stream({ stream: opts.stream })
      : new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] }),
  ];
  if (opts.file) transports.push(new winston.transports.File({ filename: opts.file }));
  return winston.createLogger({ level: opts.level, format, transports }) as unknown as Logger;
}

/**
 * A logger adding `meta` to every line of `log`. Cheaper than winston's child() on a hot path
 * (one per invocation): nothing is built until a line is actually logged.
 */
export function withMeta(log: Logger, meta: Readonly<Record<string, unknown>>): Logger {
  const merge = (m?: Record<string, unknown>): Record<string, unknown> => (m ? { ...meta, ...m } : { ...meta });
  return {
    error: (message, m) => log.error(message, merge(m)),
    warn: (message, m) => log.warn(message, merge(m)),
    info: (message, m) => log.info(message, merge(m)),
    debug: (message, m) => log.debug(message, merge(m)),
    child: (m) => withMeta(log, { ...meta, ...m }),
  };
}
