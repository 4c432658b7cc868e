/**
 * `soar-clearing pki`: the network's certificates without openssl. `init` makes the network
 * CA, `issue` a node's certificate signed by it, `show` what a certificate says. The options
 * are declared here (cli.ts only registers the command); the certificate code (src/pki) is
 * loaded only when a pki command runs.
 *
 * Exit codes: 0 ok; 1 a file cannot be read or written (no CA, an unreadable certificate);
 * 2 bad usage (a wrong option value, files already there without --force).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { DEFAULT_CA_DAYS, DEFAULT_CA_SUBJECT, DEFAULT_NODE_DAYS, DEFAULT_PKI_DIR, KEY_TYPES, type KeyType } from '../pki/defaults.js';
import type { CertificateInfo } from '../pki/inspect.js';


interface InitArgs {
  readonly dir: string;
  readonly subject?: string | undefined;
  readonly days?: number | undefined;
  readonly keyType: KeyType;
  readonly force: boolean;
}

interface IssueArgs {
  readonly node: string;
  readonly dns?: readonly string[] | undefined;
  readonly ip?: readonly string[] | undefined;
  readonly caDir: string;
  readonly out?: string | undefined;
  readonly subject?: string | undefined;
  readonly days?: number | undefined;
  readonly keyType: KeyType;
  readonly force: boolean;
}

interface ShowArgs {
  readonly file: string;
  readonly ca?: string | undefined;
  readonly json: boolean;
}

function sameFile(path: string, content: string): boolean {
  try {
    return readFileSync(path, 'utf8') === content;
  } catch {
    return false;
  }
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function init(args: InitArgs): Promise<number> {
  const [{ createCa }, files] = await Promise.all([import('../pki/certificates.js'), import('../pki/files.js')]);
  const certPath = join(args.dir, files.CA_CERT_FILE);
  const keyPath = join(args.dir, files.CA_KEY_FILE);
  // Refused before the key is generated: an RSA key takes a moment.
  files.refuseExisting([certPath, keyPath], args.force);
  const ca = await createCa({ subject: args.subject, days: args.days, keyType: args.keyType });
  files.ensureDir(args.dir);
  files.writeFiles([
    { path: keyPath, content: ca.keyPem, mode: files.KEY_MODE },
    { path: certPath, content: ca.certPem, mode: files.CERT_MODE },
  ], args.force);
  const info = (await showInfo(certPath))[0]!;
  say(`wrote ${certPath}: the network CA's certificate (${info.subject}, ${info.key}, valid until ${info.not_after}); every node gets it as node.tls.ca`);
  say(`wrote ${keyPath}: the CA's private key (mode 0600); keep it off the nodes, on the machine that issues their certificates`);
  say(`next: soar-clearing pki issue --ca-dir ${args.dir} --node <node id> --dns <host name> --ip <address>`);
  return 0;
}

async function issue(args: IssueArgs): Promise<number> {
  const [{ checkNodeNames, issueNodeCertificate }, files] = await Promise.all([import('../pki/certificates.js'), import('../pki/files.js')]);
  const request = { nodeId: args.node, dns: args.dns ?? [], ips: args.ip ?? [], subject: args.subject, days: args.days, keyType: args.keyType };
  // The node id names the files: checked before any path is made of it.
  checkNodeNames(request);
  const out = args.out ?? args.caDir;
  const certPath = join(out, `${args.node}.crt`);
  const keyPath = join(out, `${args.node}.key`);
  const ca = files.readCa(args.caDir);
  // Beside the node's pair, the CA certificate it needs (the directory is what the node gets),
  // unless that is the CA's directory or the same certificate is there already.
  const caCopyPath = join(out, files.CA_CERT_FILE);
  const caCopy = resolve(out) === resolve(args.caDir) || sameFile(caCopyPath, ca.certPem) ? null : caCopyPath;
  files.refuseExisting([certPath, keyPath, ...(caCopy ? [caCopy] : [])], args.force);
  const pair = await issueNodeCertificate(ca, request);
  files.ensureDir(out);
  files.writeFiles([
    { path: keyPath, content: pair.keyPem, mode: files.KEY_MODE },
    { path: certPath, content: pair.certPem, mode: files.CERT_MODE },
    ...(caCopy ? [{ path: caCopy, content: ca.certPem, mode: files.CERT_MODE }] : []),
  ], args.force);
  const info = (await showInfo(certPath))[0]!;
  say(`wrote ${certPath}: node ${args.node}'s certificate (${info.san.map((s) => `${s.type}:${s.value}`).join(', ')}; valid until ${info.not_after})`);
  say(`wrote ${keyPath}: its private key (mode 0600); it belongs on node ${args.node} only`);
  if (caCopy) say(`wrote ${caCopy}: the network CA's certificate`);
  say(`\nin node ${args.node}'s app.config.yaml (with the paths the files get on that node):`);
  say(`node:\n  id: ${args.node}\n  tls: { cert: ${resolve(certPath)}, key: ${resolve(keyPath)}, ca: ${resolve(caCopyPath)} }`);
  return 0;
}

async function showInfo(file: string, caFile?: string): Promise<CertificateInfo[]> {
  const [{ inspectCertificate }, { readCertificates }] = await Promise.all([import('../pki/inspect.js'), import('../pki/files.js')]);
  const ca = caFile === undefined ? undefined : readCertificates(caFile);
  const now = new Date();
  return readCertificates(file).map((cert) => inspectCertificate(cert, now, ca));
}

function daysText(info: CertificateInfo): string {
  if (!info.expired) return `${info.days_left} day${info.days_left === 1 ? '' : 's'} left`;
  const ago = -info.days_left - 1;
  return `EXPIRED${ago > 0 ? ` ${ago} day${ago === 1 ? '' : 's'} ago` : ''}`;
}

/** `pki show`'s text: one block per certificate, labels aligned. */
function formatInfo(file: string, infos: readonly CertificateInfo[]): string {
  return infos.map((info, i) => {
    const node = info.identity
      ? `${info.identity.node} (${info.identity.source === 'san_uri' ? 'SAN URI' : 'CN'})`
      : info.ca ? 'none (a CA certificate)' : `none: ${info.identity_problem}`;
    const rows: [string, string][] = [
      ['node', node],
      ['subject', info.subject],
      ['SAN', info.san.map((s) => `${s.type}:${s.value}`).join(', ') || 'none'],
      ['issuer', `${info.issuer}${info.self_signed ? ' (self-signed)' : ''}`],
      ['not before', info.not_before],
      ['not after', `${info.not_after} (${daysText(info)})`],
      ['key', info.key],
      ['CA', info.ca ? 'yes' : 'no'],
      ['key usage', info.extended_key_usage?.join(', ') ?? 'any (no extended key usage)'],
      ...(info.signed_by_ca === null ? [] : [['signed by --ca', info.signed_by_ca ? 'yes' : 'NO'] as [string, string]]),
      ['serial', info.serial],
      ['SHA-256', info.fingerprint_sha256],
    ];
    const head = infos.length > 1 ? `${file} (certificate ${i + 1} of ${infos.length})` : file;
    return [head, ...rows.map(([k, v]) => `  ${`${k}:`.padEnd(16)}${v}`)].join('\n');
  }).join('\n\n');
}

async function show(args: ShowArgs): Promise<number> {
  const infos = await showInfo(args.file, args.ca);
  say(args.json ? JSON.stringify({ file: args.file, certificates: infos }, null, 2) : formatInfo(args.file, infos));
  return 0;
}

const EXIT_CODES = 'Exit codes: 0 ok; 1 a file cannot be read or written (no CA, an unreadable certificate); 2 bad usage (a wrong option value, files already there without --force).';

/** Declares `pki init|issue|show` on `y`; `run` receives the chosen command's outcome (its exit code). */
export function pkiCommand(y: Argv, run: (result: Promise<number>) => void): Argv {
  const days = (what: string, dflt: number) => ({ type: 'number', describe: `Validity in days (default ${dflt})${what}` }) as const;
  const keyType = { choices: KEY_TYPES, default: 'ec' as const, describe: 'Key: ec = ECDSA P-256, rsa = RSA 3072' };
  const force = { type: 'boolean', default: false, describe: 'Replace files that are already there' } as const;
  return y
    .usage('$0 pki <init|issue|show> [options]\n\nThe certificates of the clearing network: one CA for the network, and per node a certificate signed by it '
      + 'that names the node by the SAN URI urn:soar-clearing:node:<node id>, with the DNS names and IP addresses its peers reach it by, '
      + 'for serverAuth and clientAuth. Keys are written with mode 0600.')
    .command('init', 'Make the network CA: <dir>/ca.crt (every node\'s node.tls.ca) and <dir>/ca.key (keep it off the nodes)', (c) =>
      c
        .option('dir', { type: 'string', default: DEFAULT_PKI_DIR, describe: 'Directory for ca.crt and ca.key (created with mode 0700)' })
        .option('subject', { type: 'string', describe: `The CA's distinguished name (default '${DEFAULT_CA_SUBJECT}'), e.g. 'CN=Acme clearing CA, O=Acme'` })
        .option('days', days('', DEFAULT_CA_DAYS))
        .option('key-type', keyType)
        .option('force', force)
        .epilog(EXIT_CODES), (a) => {
      run(init(a as unknown as InitArgs));
    })
    .command('issue', "Issue a node's certificate signed by the network CA: <out>/<node>.crt and <out>/<node>.key (mode 0600), plus <out>/ca.crt when <out> is not the CA's directory", (c) =>
      c
        .option('node', { type: 'string', demandOption: true, describe: 'The node id (node.id in its app.config.yaml)' })
        .option('dns', { type: 'string', array: true, describe: 'A DNS name its peers reach it by (the host of its URL in their network.peers); repeatable' })
        .option('ip', { type: 'string', array: true, describe: 'An IP address its peers reach it by; repeatable' })
        .option('ca-dir', { type: 'string', default: DEFAULT_PKI_DIR, describe: 'Directory of the CA (ca.crt and ca.key, made by pki init)' })
        .option('out', { type: 'string', describe: 'Directory for the files (default: the CA directory)' })
        .option('subject', { type: 'string', describe: "The certificate's distinguished name (default 'CN=<node id>'); the SAN URI names the node whatever it says" })
        .option('days', days('; at most until the CA expires', DEFAULT_NODE_DAYS))
        .option('key-type', keyType)
        .option('force', force)
        .example('$0 pki issue --node eu --dns clearing-eu.example.com --ip 10.1.2.3', 'node eu, reached as https://clearing-eu.example.com:8443 or by its address')
        .epilog(EXIT_CODES), (a) => {
      run(issue(a as unknown as IssueArgs));
    })
    .command('show <file>', 'Show what a certificate file says: the node it names, subject, SANs, issuer, validity and days left, key, usages', (c) =>
      c
        .positional('file', { type: 'string', demandOption: true, describe: 'A certificate file (PEM, possibly several certificates, or DER)' })
        .option('ca', { type: 'string', describe: 'Also check that this CA certificate (e.g. pki/ca.crt) signed it' })
        .option('json', { type: 'boolean', default: false, describe: 'Print as JSON' })
        .epilog(EXIT_CODES), (a) => {
      run(show(a as unknown as ShowArgs));
    })
    .demandCommand(1, 'Name a pki subcommand (init, issue, show).')
    .epilog(EXIT_CODES);
}
