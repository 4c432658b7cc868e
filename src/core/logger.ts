/**
 * winston logger: text (one readable line) or JSON lines, to standard output (or standard
 * error, for commands whose standard output is a report) and optionally a file that rotates
 * by size. Every line passes through a scrubber that replaces each configured secret (API key
 * secret, password, STOMP passcode, proxy password) with *** wherever it appears, message or
 * metadata.
 *
 * The level: `--log-level`, else LOG_LEVEL, else the command's own (quiet commands), else the
 * file's `logging.level` (chooseLevel). The format: the file's `logging.format` when it says
 * text or json; `auto` (the default): text on a terminal, JSON lines anywhere else (a pipe, the
 * journal, a container's log, the log file), what log collectors read (chooseFormat).
 */
import winston from 'winston';
import { ClearingError, ErrorCode } from './errors.js';
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

export const LogFormat = { Text: 'text', Json: 'json', Auto: 'auto' } as const;
export type LogFormat = (typeof LogFormat)[keyof typeof LogFormat];

export const LogLevel = {
  Error: 'error',
  Warn: 'warn',
  Info: 'info',
  Debug: 'debug',
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

const LEVELS: readonly string[] = Object.values(LogLevel);

export interface LoggingConfig {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Also log to this file (absolute path), or null for the console only. */
  readonly file: string | null;
  /** The file is rotated when it reaches this size: renamed `<name>1.<ext>` (older ones shift up). */
  readonly max_size_bytes: number;
  /** Files kept: the current one and max_files - 1 rotated ones. */
  readonly max_files: number;
}

/**
 * The level in force: the command line's `--log-level`, else the environment's LOG_LEVEL, else
 * the command's own (a command printing a report logs only warnings or errors), else the
 * configuration file's. An unknown level (from LOG_LEVEL: the command line's is checked by
 * yargs) is a usage error in words.
 */
export function chooseLevel(o: { readonly flag?: string | undefined; readonly env?: string | undefined; readonly command?: LogLevel | undefined; readonly file: LogLevel }): LogLevel {
  for (const [source, value] of [['--log-level', o.flag], ['LOG_LEVEL', o.env]] as const) {
    if (value === undefined || value.trim() === '') continue;
    const level = value.trim().toLowerCase();
    if (!LEVELS.includes(level)) throw new ClearingError(ErrorCode.Usage, `${source}: '${value}' is not a log level (${LEVELS.join(', ')})`);
    return level as LogLevel;
  }
  return o.command ?? o.file;
}

/** The format of lines written to a destination: as configured, or for `auto` text on a terminal and JSON elsewhere. */
export function chooseFormat(format: LogFormat, isTerminal: boolean): 'text' | 'json' {
  if (format !== LogFormat.Auto) return format;
  return isTerminal ? LogFormat.Text : LogFormat.Json;
}

export interface LoggerOptions extends Omit<LoggingConfig, 'max_size_bytes' | 'max_files'> {
  readonly max_size_bytes?: number;
  readonly max_files?: number;
  readonly secrets?: readonly string[];
  /** The console: standard output (default) or standard error (commands whose standard output is a report). */
  readonly console?: 'stdout' | 'stderr';
  /** Where console output goes instead; tests pass a stream to capture lines. */
  readonly stream?: NodeJS.WritableStream;
}

function lineFormat(format: 'text' | 'json'): winston.Logform.Format {
  return format === 'json' ? winston.format.json() : textLine;
}

export function createLogger(opts: LoggerOptions): Logger {
  const consoleStream = opts.stream ?? (opts.console === 'stderr' ? process.stderr : process.stdout);
  const isTerminal = (consoleStream as NodeJS.WritableStream & { isTTY?: boolean }).isTTY === true;
  const consoleFormat = lineFormat(chooseFormat(opts.format, isTerminal));
  const transports: winston.transport[] = [
    opts.stream
      ? new winston.transports.Stream({ stream: opts.stream, format: consoleFormat })
      : new winston.transports.Console({ stderrLevels: opts.console === 'stderr' ? [...LEVELS] : [], format: consoleFormat }),
  ];
  if (opts.file) {
    transports.push(new winston.transports.File({
      filename: opts.file,
      format: lineFormat(chooseFormat(opts.format, false)),
      // Rotation by size; tailable: the file named in the config is always the newest.
      ...(opts.max_size_bytes !== undefined ? { maxsize: opts.max_size_bytes, maxFiles: opts.max_files ?? 1, tailable: true } : {}),
    }));
  }
  const format = winston.format.combine(scrub(opts.secrets ?? []), winston.format.timestamp());
  const logger = winston.createLogger({ level: opts.level, format, transports });
  // A transport that cannot write (the log file's permissions, a full disk) must not end the
  // process: winston re-emits its error on the logger, and an unheard 'error' event throws.
  let told = false;
  logger.on('error', (err: Error) => {
    if (told) return;
    told = true;
    process.stderr.write(`soar-clearing: a log destination failed, its lines are lost: ${err.message}\n`);
  });
  return logger as unknown as Logger;
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
