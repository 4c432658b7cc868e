/**
 * Reads app.config.yaml into the frozen AppConfig of `types.ts`:
 *   find the file -> parse YAML -> substitute ${ENV} -> validate (ajv + cross-field rules and
 *   file checks) -> fill defaults -> compile seconds to ms, shorthand to one brand -> deep-freeze.
 * Every problem found is reported at once, as `path: message` in the YAML's own spelling, in
 * one ConfigError.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';
import { ALL_CONFIG_KINDS } from './config-kinds.js';
import { describeIdentity, identityOfX509 } from './cert-identity.js';
import { pemCertificateBlocks } from './pem.js';
import { DEFAULT_WHITELIST, compileWhitelist, whitelistProblems } from './whitelist.js';
import { compileTriage, triageProblems } from './triage.js';
import { ConfigError, ErrorCode } from '../core/errors.js';
import { dropNulls, isRecord } from '../core/json.js';
import { checkWeb, compileWeb } from './web.js';
import { type PathSegment, type SchemaProblem, formatPath, schemaProblems } from '../core/schema-problems.js';
import { type ConfigProblem, formatProblem, substituteEnv } from './env.js';
import {
  DEFAULTS,
  ID_PATTERN,
  PATTERN_HINTS,
  type RawBrand,
  type RawConfig,
  type RawNetwork,
  type RawSoar,
  type RawStomp,
} from './schema.js';
import { configValidator } from './validator.js';
import type { LogFormat, LogLevel } from '../core/logger.js';
import type {
  AppConfig,
  BrandConfig,
  NetworkConfig,
  NodeConfig,
  PeerConfig,
  SoarAuth,
  TlsTrust,
  Whitelist,
} from './types.js';

export interface LoadConfigOptions {
  /** Explicit path (the CLI's --config); relative to `cwd`. */
  path?: string;
  /** Environment for APP_CONFIG_FILE and ${VAR} substitution; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Directory that relative paths given here are resolved against; default process.cwd(). */
  cwd?: string;
}

/** Where the configuration file was found, and which of the three places said so. */
export interface ConfigLocation {
  readonly path: string;
  readonly via: '--config' | 'APP_CONFIG_FILE' | 'default';
}

const CONFIG_ENV_VAR = 'APP_CONFIG_FILE';
const DEFAULT_CONFIG_FILE = 'app.config.yaml';

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The configuration file's absolute path: `opts.path`, else $APP_CONFIG_FILE, else
 * ./app.config.yaml. The first one given is the one used (no fallback past an explicit choice);
 * when it is missing, a ConfigError (config_not_found) lists all three places.
 */
export function resolveConfigPath(opts: LoadConfigOptions = {}): ConfigLocation {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const env = opts.env ?? process.env;
  const fromOption = opts.path ? resolve(cwd, opts.path) : null;
  const envValue = env[CONFIG_ENV_VAR];
  const fromEnv = envValue ? resolve(cwd, envValue) : null;
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);

  const chosen: ConfigLocation =
    fromOption !== null
      ? { path: fromOption, via: '--config' }
      : fromEnv !== null
        ? { path: fromEnv, via: 'APP_CONFIG_FILE' }
        : { path: fallback, via: 'default' };
  if (isFile(chosen.path)) return chosen;

  const status = (path: string): string => {
    if (path !== chosen.path) return `${path}: skipped (${chosen.via} takes precedence)`;
    try {
      statSync(path);
      return `${path}: not a file`;
    } catch {
      return `${path}: not found`;
    }
  };
  const problems = [
    `--config: ${fromOption === null ? 'not given' : status(fromOption)}`,
    `${CONFIG_ENV_VAR}: ${fromEnv === null ? 'not set' : status(fromEnv)}`,
    `./${DEFAULT_CONFIG_FILE}: ${status(fallback)}`,
  ];
  throw new ConfigError('configuration file not found; looked at', problems, ErrorCode.ConfigNotFound);
}

/** Finds, reads and compiles the configuration. Throws ConfigError listing every problem. */
export function loadConfig(opts: LoadConfigOptions = {}): AppConfig {
  const { path } = resolveConfigPath(opts);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read the file: ${err instanceof Error ? err.message : String(err)}`]);
  }
  return parseConfig(text, { source: path, env: opts.env ?? process.env });
}

/**
 * Compiles configuration text. `source` is the file's path: it names the file in errors, and
 * relative paths inside (cafile, logging.file) are resolved against its directory.
 */
export function parseConfig(text: string, opts: { source: string; env?: NodeJS.ProcessEnv }): AppConfig {
  const source = resolve(opts.source);
  const env = opts.env ?? process.env;
  const fail = (problems: readonly ConfigProblem[]): never => {
    throw new ConfigError(source, dedupe(problems.map(formatProblem)));
  };

  // 1. YAML
  const tree = parseYaml(text);
  if (tree.problems.length > 0) fail(tree.problems);
  const parsed = tree.value;
  if (parsed === null || parsed === undefined) {
    fail([{ path: '', message: 'the file is empty: it needs at least node: and soar: (or brands:)' }]);
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    fail([{ path: '', message: 'the file must be a YAML mapping of keys (node:, soar:, ...), not a list or a single value' }]);
  }

  // 2. ${ENV}; a key left empty (`key:` or `key: null`) counts as not given.
  const substituted = substituteEnv(dropNulls(parsed), env);
  const problems: ConfigProblem[] = [...substituted.problems];
  const data = substituted.value as Record<string, unknown>;
  problems.push(...precheck(data));
  // A path already reported (e.g. a missing variable) gets no second, derived problem.
  const claimed = new Set(problems.map((p) => p.path));

  // 3. Schema (coerces "443" from ${VAR} to 443 in place), then rules across fields, then files.
  const validate = configValidator();
  if (!validate(data)) {
    for (const found of schemaProblems(validate.errors, data, { patternHints: PATTERN_HINTS })) {
      const problem = configProblem(found);
      if (!claimed.has(problem.path)) problems.push(problem);
    }
  }
  // The whitelist module's own checks (reserved names...) where the schema found nothing.
  const reported = new Set(problems.map((p) => p.path));
  for (const problem of crossCheck(data, dirname(source))) {
    if (!claimed.has(problem.path)) problems.push(problem);
  }
  for (const problem of [...whitelistChecks(data), ...triageProblems(data)]) {
    if (!claimed.has(problem.path) && !reported.has(problem.path)) problems.push(problem);
  }
  if (problems.length > 0) fail(problems);

  // 4. Compile.
  return deepFreeze(compile(data as unknown as RawConfig, source));
}

// ---------------------------------------------------------------------------------------------
// YAML

/** Keys whose values are text even when they look like numbers (`api_key_secret: 0123`). */
const STRING_KEYS = new Set([
  'id', 'brand_id', 'host', 'org', 'api_key_id', 'api_key_secret', 'email', 'password',
  'cafile', 'resource_prefix', 'proxy', 'file', 'cert', 'key', 'ca', 'primary', 'url', 'owner',
  'group', 'session_secret',
]);
/** Keys whose list items are text even when they look like numbers (`brands: [0042]`). */
const STRING_LIST_KEYS = new Set(['brands', 'destinations']);

function parseYaml(text: string): { value: unknown; problems: ConfigProblem[] } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    // Only the first syntax error: the ones after it are mostly its echoes.
    const pos = first.linePos?.[0];
    const message = first.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
    return { value: undefined, problems: [{ path: pos ? `line ${pos.line}:${pos.col}` : 'YAML', message }] };
  }
  // Keep the source text of plain scalars YAML would read as numbers where the
  // schema wants a string: a secret like 0123 must not turn into 123.
  const keyOf = (pair: unknown): string | null =>
    isPair(pair) && isScalar(pair.key) && typeof pair.key.value === 'string' ? pair.key.value : null;
  visit(doc, {
    Scalar(_key, node, path) {
      if (typeof node.value !== 'number' || node.source === undefined) return;
      const parent = path[path.length - 1];
      const stringValue = isPair(parent) && parent.value === node && STRING_KEYS.has(keyOf(parent) ?? '');
      const grandparent = path[path.length - 2];
      const stringItem = isSeq(parent) && isPair(grandparent) && STRING_LIST_KEYS.has(keyOf(grandparent) ?? '');
      if (stringValue || stringItem) node.value = node.source;
    },
  });
  try {
    return { value: doc.toJS({ maxAliasCount: 100 }), problems: [] };
  } catch (err) {
    return { value: undefined, problems: [{ path: 'YAML', message: err instanceof Error ? err.message : String(err) }] };
  }
}


// ---------------------------------------------------------------------------------------------
// Schema validation: ajv's errors as problems (core/schema-problems.ts), in the config's words

function configProblem(problem: SchemaProblem): ConfigProblem {
  const { error } = problem;
  const path = formatPath(problem.path);
  const parent = formatPath(problem.path.slice(0, -1));
  switch (error.keyword) {
    case 'oneOf':
      // The only oneOf of the schema: a soar: section's credentials.
      return {
        path,
        message: Array.isArray((error.params as Record<string, unknown>).passingSchemas)
          ? 'give either api_key_id and api_key_secret, or email and password, not both'
          : 'credentials required: api_key_id and api_key_secret (or email and password)',
      };
    case 'minProperties':
      return { path, message: path === 'brands' ? 'must name at least one brand' : problem.message };
    case 'propertyNames':
      return { path, message: `invalid ${parent === 'network.peers' ? 'node' : 'brand'} id: ${PATTERN_HINTS[ID_PATTERN]}` };
    default:
      return { path, message: problem.message };
  }
}

// ---------------------------------------------------------------------------------------------
// Rules the schema does not express

/** Before coercion: `cafile: false` (resilient-circuits' way to disable verification). */
function precheck(data: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const { path, section } of tlsSections(data)) {
    const cafile = section.cafile;
    if (typeof cafile === 'boolean') {
      problems.push({
        path: formatPath([...path, 'cafile']),
        message: cafile
          ? "must be a file path (leave it out to trust Node's default CAs)"
          : 'must be a file path; to turn certificate checks off write verify: false',
      });
    }
  }
  return problems;
}

/** Every soar:/stomp: section present, with its path. */
function tlsSections(data: Record<string, unknown>): { path: PathSegment[]; section: Record<string, unknown>; kind: 'soar' | 'stomp' }[] {
  const out: { path: PathSegment[]; section: Record<string, unknown>; kind: 'soar' | 'stomp' }[] = [];
  const add = (path: PathSegment[], parent: Record<string, unknown>): void => {
    for (const kind of ['soar', 'stomp'] as const) {
      const section = parent[kind];
      if (isRecord(section)) out.push({ path: [...path, kind], section, kind });
    }
  };
  add([], data);
  if (isRecord(data.brands)) {
    for (const [id, brand] of Object.entries(data.brands)) if (isRecord(brand)) add(['brands', id], brand);
  }
  return out;
}

function crossCheck(data: Record<string, unknown>, baseDir: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const hasSoar = 'soar' in data;
  const hasBrands = 'brands' in data;
  if (hasSoar && hasBrands) {
    problems.push({ path: 'brands', message: 'cannot be combined with soar: (use soar: for one brand, or brands: for several)' });
  } else if (!hasSoar && !hasBrands) {
    problems.push({ path: 'soar', message: 'required (or brands: to serve several brands)' });
  }
  if (hasBrands) {
    for (const key of ['stomp', 'destinations', 'brand_id'] as const) {
      if (key in data) {
        problems.push({
          path: key,
          message:
            key === 'brand_id'
              ? 'only allowed with the shorthand soar: form; with brands: the keys of brands: are the brand ids'
              : `only allowed with the shorthand soar: form; with brands: write it as brands.<id>.${key}`,
        });
      }
    }
  }

  const num = (section: Record<string, unknown>, key: string, dflt: number): { value: number; given: boolean } => {
    const value = section[key];
    return typeof value === 'number' ? { value, given: true } : { value: dflt, given: false };
  };
  const ordered = (path: PathSegment[], section: Record<string, unknown>, low: string, high: string, dLow: number, dHigh: number): void => {
    const a = num(section, low, dLow);
    const b = num(section, high, dHigh);
    if (b.value >= a.value) return;
    if (b.given) problems.push({ path: formatPath([...path, high]), message: `must be >= ${low} (${a.value})` });
    else problems.push({ path: formatPath([...path, low]), message: `must be <= ${high} (${b.value} by default)` });
  };

  const fileProblems = new Map<string, string | null>();
  for (const { path, section, kind } of tlsSections(data)) {
    if (section.verify === false && typeof section.cafile === 'string') {
      problems.push({ path: formatPath([...path, 'cafile']), message: 'cannot be combined with verify: false' });
    }
    if (typeof section.cafile === 'string' && section.cafile !== '') {
      const problem = checkCafile(resolve(baseDir, section.cafile), fileProblems);
      if (problem !== null) problems.push({ path: formatPath([...path, 'cafile']), message: problem });
    }
    if (kind === 'soar') {
      ordered(path, section, 'retry_backoff_s', 'retry_max_backoff_s', DEFAULTS.soar.retry_backoff_s, DEFAULTS.soar.retry_max_backoff_s);
      if (typeof section.proxy === 'string' && section.proxy !== '' && !isProxyUrl(section.proxy)) {
        problems.push({
          path: formatPath([...path, 'proxy']),
          message: 'must be an http:// or https:// URL (e.g. http://user:password@proxy.example.com:3128)',
        });
      }
    } else {
      ordered(path, section, 'reconnect_initial_s', 'reconnect_max_s', DEFAULTS.stomp.reconnect_initial_s, DEFAULTS.stomp.reconnect_max_s);
    }
  }

  problems.push(...checkNode(data, baseDir, fileProblems), ...checkNetwork(data), ...checkWeb(data), ...checkAdmin(data));

  const logging = data.logging;
  if (isRecord(logging) && typeof logging.file === 'string' && logging.file !== '') {
    const file = resolve(baseDir, logging.file);
    const dir = dirname(file);
    let ok = false;
    try {
      ok = statSync(dir).isDirectory();
    } catch {
      ok = false;
    }
    if (!ok) problems.push({ path: 'logging.file', message: `directory does not exist: ${dir}` });
    else if (isDirectory(file)) problems.push({ path: 'logging.file', message: `is a directory: ${file}` });
  }
  return problems;
}

/** The whitelist module's checks of the top-level whitelist and of each brand's. */
function whitelistChecks(data: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (isRecord(data.whitelist)) problems.push(...whitelistProblems(data.whitelist, ['whitelist']));
  if (isRecord(data.brands)) {
    for (const [id, brand] of Object.entries(data.brands)) {
      if (isRecord(brand) && isRecord(brand.whitelist)) problems.push(...whitelistProblems(brand.whitelist, ['brands', id, 'whitelist']));
    }
  }
  return problems;
}

/** The admin listener needs a port of its own (the peer API's and the web UI's are taken). */
function checkAdmin(data: Record<string, unknown>): ConfigProblem[] {
  if (!isRecord(data.admin)) return [];
  const portOf = (section: unknown, dflt: number): number | null => {
    if (!isRecord(section)) return null;
    const listen = isRecord(section.listen) ? section.listen : {};
    return typeof listen.port === 'number' ? listen.port : dflt;
  };
  const admin = portOf(data.admin, DEFAULTS.admin.port);
  const node = isRecord(data.node) && 'listen' in data.node ? portOf(data.node, DEFAULTS.listen.port) : null;
  const web = portOf(data.web, DEFAULTS.web.port);
  const problems: ConfigProblem[] = [];
  if (admin !== null && admin === node) problems.push({ path: 'admin.listen.port', message: `must differ from node.listen.port (${node})` });
  if (admin !== null && admin === web) problems.push({ path: 'admin.listen.port', message: `must differ from web.listen.port (${web})` });
  return problems;
}

/** node.listen and node.tls: which is needed when, the files, and what the certificate names. */
function checkNode(data: Record<string, unknown>, baseDir: string, cache: Map<string, string | null>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const node = isRecord(data.node) ? data.node : {};
  const hasTls = 'tls' in node;
  if ('network' in data) {
    if (!('listen' in node)) {
      problems.push({ path: 'node.listen', message: 'required with network: (where peers reach this node, e.g. { host: 0.0.0.0, port: 8443 })' });
    }
    if (!hasTls) {
      problems.push({ path: 'node.tls', message: "required with network: (this node's certificate and key, and the network CA)" });
    }
  } else if ('listen' in node && !hasTls) {
    problems.push({ path: 'node.tls', message: 'required with node.listen (the node serves HTTPS only)' });
  }
  if (!isRecord(node.tls)) return problems;

  const tls = node.tls;
  const files: Partial<Record<'cert' | 'key' | 'ca', string>> = {};
  for (const key of ['cert', 'key', 'ca'] as const) {
    const value = tls[key];
    if (typeof value !== 'string' || value === '') continue;
    const path = resolve(baseDir, value);
    const problem = checkPemFile(path, key === 'key' ? 'key' : 'certificate', cache);
    if (problem !== null) problems.push({ path: `node.tls.${key}`, message: problem });
    else files[key] = path;
  }
  if (files.cert === undefined) return problems;

  let cert: X509Certificate;
  try {
    cert = new X509Certificate(readFileSync(files.cert));
  } catch (err) {
    problems.push({ path: 'node.tls.cert', message: `not a valid certificate: ${errorText(err)}` });
    return problems;
  }
  const named = identityOfX509(cert);
  const nodeId = typeof node.id === 'string' ? node.id : null;
  if (!named.ok) {
    problems.push({ path: 'node.tls.cert', message: `${named.reason}; it must name node.id` });
  } else if (nodeId !== null && named.identity.id !== nodeId) {
    problems.push({
      path: 'node.tls.cert',
      message: `names node ${describeIdentity(named.identity)}, not node.id ${nodeId}`,
    });
  }
  // Used as server certificate towards peers' clients and as client certificate towards peers.
  const usages = cert.keyUsage;
  if (Array.isArray(usages)) {
    const missing = [
      ['1.3.6.1.5.5.7.3.1', 'serverAuth'],
      ['1.3.6.1.5.5.7.3.2', 'clientAuth'],
    ].filter(([oid]) => !usages.includes(oid as string));
    if (missing.length > 0) {
      problems.push({
        path: 'node.tls.cert',
        message: `its extended key usage lacks ${missing.map(([, name]) => name).join(' and ')} (a node's certificate serves both)`,
      });
    }
  }
  if (files.key !== undefined) {
    try {
      if (!cert.checkPrivateKey(createPrivateKey(readFileSync(files.key)))) {
        problems.push({ path: 'node.tls.key', message: `is not the key of node.tls.cert (${files.cert})` });
      }
    } catch (err) {
      problems.push({ path: 'node.tls.key', message: `cannot be read as a private key: ${errorText(err)}` });
    }
  }
  if (files.ca !== undefined) {
    const cas = pemCertificates(readFileSync(files.ca, 'utf8'));
    const signed = cas.some((ca) => {
      try {
        return cert.checkIssued(ca) && cert.verify(ca.publicKey);
      } catch {
        return false;
      }
    });
    if (cas.length === 0) problems.push({ path: 'node.tls.ca', message: `holds no readable certificate: ${files.ca}` });
    else if (!signed) problems.push({ path: 'node.tls.cert', message: `is not signed by the network CA of node.tls.ca (${files.ca})` });
  }
  return problems;
}

/** Every certificate of a PEM bundle that parses. */
function pemCertificates(text: string): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const block of pemCertificateBlocks(text)) {
    try {
      out.push(new X509Certificate(block));
    } catch {
      // skip what does not parse
    }
  }
  return out;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A peer URL as compiled (`https://host:port[/prefix]`, no trailing slash), or null when it is
 * not an https URL without credentials, query or fragment.
 */
function normalizePeerUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.hostname === '' || url.username !== '' || url.password !== '') return null;
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The network: peers vs this node, brands owned by exactly one node, primary, URLs. */
function checkNetwork(data: Record<string, unknown>): ConfigProblem[] {
  const network = data.network;
  if (!isRecord(network)) return [];
  const problems: ConfigProblem[] = [];
  const node = isRecord(data.node) ? data.node : {};
  const nodeId = typeof node.id === 'string' ? node.id : null;

  // Brand id -> where it is served: '' for this node (with the key that names it), else a peer id.
  const owners = new Map<string, { peer: string; where: string }>();
  if (isRecord(data.brands)) {
    for (const id of Object.keys(data.brands)) owners.set(id, { peer: '', where: `brands.${id}` });
  } else if ('soar' in data) {
    if (typeof data.brand_id === 'string') owners.set(data.brand_id, { peer: '', where: 'brand_id' });
    else if (!('brand_id' in data)) {
      problems.push({
        path: 'brand_id',
        message: `required with network: (it names this brand across the network; "${DEFAULTS.brand_id}" would be ambiguous)`,
      });
    }
  }

  const peers = isRecord(network.peers) ? network.peers : {};
  const urls = new Map<string, string>();
  for (const [id, peer] of Object.entries(peers)) {
    const at = (...more: PathSegment[]): string => formatPath(['network', 'peers', id, ...more]);
    if (id === nodeId) problems.push({ path: at(), message: "is this node's own id (node.id); list only the other nodes" });
    if (!isRecord(peer)) continue;
    if (typeof peer.url === 'string' && peer.url !== '') {
      const url = normalizePeerUrl(peer.url);
      if (url === null) {
        problems.push({
          path: at('url'),
          message: 'must be an https:// URL without credentials, query or fragment (e.g. https://clearing-us.example.com:8443)',
        });
      } else {
        const other = urls.get(url);
        if (other !== undefined) problems.push({ path: at('url'), message: `is also the URL of network.peers.${other}` });
        else urls.set(url, id);
      }
    }
    if (!Array.isArray(peer.brands)) continue;
    peer.brands.forEach((brand: unknown, index) => {
      if (typeof brand !== 'string') return;
      const owner = owners.get(brand);
      if (owner === undefined) owners.set(brand, { peer: id, where: at('brands') });
      else if (owner.peer === '') {
        problems.push({ path: at('brands', index), message: `${brand} is a brand of this node (${owner.where}); a brand belongs to one node` });
      } else if (owner.peer !== id) {
        problems.push({ path: at('brands', index), message: `${brand} is also listed by network.peers.${owner.peer}; a brand belongs to one node` });
      }
    });
  }

  const reference = isRecord(network.config_push) ? network.config_push.reference_brand : undefined;
  if (typeof reference === 'string' && owners.get(reference)?.peer !== '') {
    problems.push({ path: 'network.config_push.reference_brand', message: `must be a brand of this node (${[...owners].filter(([, o]) => o.peer === '').map(([b]) => b).join(', ') || 'none'})` });
  }

  const primary = network.primary;
  if (typeof primary === 'string' && primary !== nodeId && !(primary in peers)) {
    const known = [...new Set([nodeId, ...Object.keys(peers)])].filter((x): x is string => x !== null);
    problems.push({ path: 'network.primary', message: `must be this node's id or a peer's id (one of ${known.join(', ')})` });
  }
  return problems;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isProxyUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** null when the file exists and holds a PEM certificate; else what is wrong (cached per path). */
function checkCafile(path: string, cache: Map<string, string | null>): string | null {
  return checkPemFile(path, 'certificate', cache);
}

/** null when the file exists and holds a PEM certificate (or private key); else what is wrong. */
function checkPemFile(path: string, kind: 'certificate' | 'key', cache: Map<string, string | null>): string | null {
  const cacheKey = `${kind}:${path}`;
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached;
  let problem: string | null = null;
  try {
    if (!statSync(path).isFile()) problem = `not a file: ${path}`;
    else {
      const text = readFileSync(path, 'utf8');
      if (kind === 'certificate' && !text.includes('-----BEGIN CERTIFICATE-----')) {
        problem = `no PEM certificate (-----BEGIN CERTIFICATE-----) in ${path}`;
      } else if (kind === 'key' && text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
        problem = `the key in ${path} is encrypted: the node needs it unencrypted (protect the file instead)`;
      } else if (kind === 'key' && !/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(text)) {
        problem = `no PEM private key (-----BEGIN PRIVATE KEY-----) in ${path}`;
      }
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problem = code === 'ENOENT' ? `file not found: ${path}` : `cannot read ${path}: ${code ?? String(err)}`;
  }
  cache.set(cacheKey, problem);
  return problem;
}

// ---------------------------------------------------------------------------------------------
// Compile

const ms = (seconds: number): number => Math.round(seconds * 1000);

function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `/${trimmed}`;
}

function compileBrand(id: string, raw: RawBrand, baseDir: string, topWhitelist: Whitelist): BrandConfig {
  const s: RawSoar = raw.soar;
  const t: RawStomp = raw.stomp ?? {};
  const auth: SoarAuth =
    s.api_key_id !== undefined
      ? { kind: 'api_key', api_key_id: s.api_key_id, api_key_secret: s.api_key_secret as string }
      : { kind: 'password', email: s.email as string, password: s.password as string };
  const soarCafile = s.cafile !== undefined ? resolve(baseDir, s.cafile) : null;
  const soarTls: TlsTrust = { verify: s.verify ?? DEFAULTS.soar.verify, cafile: soarCafile };
  const stompVerify = t.verify ?? soarTls.verify;
  const stompTrust: TlsTrust = {
    verify: stompVerify,
    // An inherited cafile means nothing once verification is off for STOMP.
    cafile: t.cafile !== undefined ? resolve(baseDir, t.cafile) : stompVerify ? soarCafile : null,
  };
  return {
    id,
    soar: {
      host: s.host,
      port: s.port ?? DEFAULTS.soar.port,
      org: s.org,
      auth,
      tls: soarTls,
      resource_prefix: normalizePrefix(s.resource_prefix ?? DEFAULTS.soar.resource_prefix),
      timeout_ms: ms(s.timeout_s ?? DEFAULTS.soar.timeout_s),
      retry: {
        retries: s.retries ?? DEFAULTS.soar.retries,
        backoff_ms: ms(s.retry_backoff_s ?? DEFAULTS.soar.retry_backoff_s),
        max_backoff_ms: ms(s.retry_max_backoff_s ?? DEFAULTS.soar.retry_max_backoff_s),
      },
      proxy: s.proxy ?? null,
    },
    stomp: {
      host: t.host ?? s.host,
      port: t.port ?? DEFAULTS.stomp.port,
      tls: t.tls ?? DEFAULTS.stomp.tls,
      trust: stompTrust,
      login: auth.kind === 'api_key' ? auth.api_key_id : auth.email,
      passcode: auth.kind === 'api_key' ? auth.api_key_secret : auth.password,
      heartbeat_in_ms: ms(t.heartbeat_s ?? DEFAULTS.stomp.heartbeat_s),
      heartbeat_out_ms: ms(t.heartbeat_out_s ?? DEFAULTS.stomp.heartbeat_out_s),
      connect_timeout_ms: ms(t.connect_timeout_s ?? DEFAULTS.stomp.connect_timeout_s),
      reconnect: {
        initial_ms: ms(t.reconnect_initial_s ?? DEFAULTS.stomp.reconnect_initial_s),
        max_ms: ms(t.reconnect_max_s ?? DEFAULTS.stomp.reconnect_max_s),
      },
    },
    destinations: [...(raw.destinations ?? DEFAULTS.destinations)],
    whitelist: raw.whitelist !== undefined ? compileWhitelist(raw.whitelist, ['brands', id, 'whitelist']) : topWhitelist,
  };
}

function compileNode(raw: RawConfig, baseDir: string): NodeConfig {
  const { listen, tls } = raw.node;
  return {
    id: raw.node.id,
    listen:
      listen === undefined
        ? null
        : { host: listen.host ?? DEFAULTS.listen.host, port: listen.port ?? DEFAULTS.listen.port },
    tls:
      tls === undefined
        ? null
        : { cert: resolve(baseDir, tls.cert), key: resolve(baseDir, tls.key), ca: resolve(baseDir, tls.ca) },
  };
}

function compileNetwork(raw: RawNetwork | undefined): NetworkConfig | null {
  if (raw === undefined) return null;
  const peers: PeerConfig[] = Object.entries(raw.peers ?? {}).map(([id, peer]) => ({
    id,
    url: normalizePeerUrl(peer.url) as string,
    brands: [...peer.brands],
  }));
  return {
    primary: raw.primary,
    peers,
    received: { owner: raw.received?.owner ?? null, group: raw.received?.group ?? null },
    allow_redistribution: raw.allow_redistribution ?? DEFAULTS.network.allow_redistribution,
    timeout_ms: ms(raw.timeout_s ?? DEFAULTS.network.timeout_s),
    config_push: {
      reference_brand: raw.config_push?.reference_brand ?? null,
      kinds: [...(raw.config_push?.kinds ?? ALL_CONFIG_KINDS)],
      tags: [...(raw.config_push?.tags ?? [])],
      name_prefixes: [...(raw.config_push?.name_prefixes ?? [])],
      schedule_ms: (raw.config_push?.schedule_minutes ?? DEFAULTS.network.config_push.schedule_minutes) * 60_000,
    },
  };
}

function compile(raw: RawConfig, source: string): AppConfig {
  const baseDir = dirname(source);
  const whitelist = raw.whitelist === undefined ? DEFAULT_WHITELIST : compileWhitelist(raw.whitelist, ['whitelist']);
  const brands: BrandConfig[] =
    raw.brands !== undefined
      ? Object.entries(raw.brands).map(([id, brand]) => compileBrand(id, brand, baseDir, whitelist))
      : [
          compileBrand(
            raw.brand_id ?? DEFAULTS.brand_id,
            { soar: raw.soar as RawSoar, stomp: raw.stomp, destinations: raw.destinations },
            baseDir,
            whitelist,
          ),
        ];
  const worker = raw.worker ?? {};
  const logging = raw.logging ?? {};
  return {
    source,
    node: compileNode(raw, baseDir),
    network: compileNetwork(raw.network),
    web: compileWeb(raw.web),
    admin: raw.admin === undefined ? null : { listen: { host: raw.admin.listen?.host ?? DEFAULTS.admin.host, port: raw.admin.listen?.port ?? DEFAULTS.admin.port } },
    whitelist,
    triage: compileTriage(raw.triage),
    brands,
    worker: {
      concurrency: worker.concurrency ?? DEFAULTS.worker.concurrency,
      shutdown_grace_ms: ms(worker.shutdown_grace_s ?? DEFAULTS.worker.shutdown_grace_s),
      dedupe_size: worker.dedupe_size ?? DEFAULTS.worker.dedupe_size,
      function_timeout_ms: ms(worker.function_timeout_s ?? DEFAULTS.worker.function_timeout_s),
      exit_after_broker_down_ms: ms(worker.exit_after_broker_down_s ?? DEFAULTS.worker.exit_after_broker_down_s),
    },
    logging: {
      level: (logging.level ?? DEFAULTS.logging.level) as LogLevel,
      format: (logging.format ?? DEFAULTS.logging.format) as LogFormat,
      file: logging.file !== undefined ? resolve(baseDir, logging.file) : null,
      max_size_bytes: (logging.max_size_mb ?? DEFAULTS.logging.max_size_mb) * 1024 * 1024,
      max_files: logging.max_files ?? DEFAULTS.logging.max_files,
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function dedupe(lines: readonly string[]): string[] {
  return [...new Set(lines)];
}
