/**
 * The pki tool's choices and defaults, apart from the certificate code so that the command
 * line can show them in --help without loading the X.509 library.
 */

/** `ec`: ECDSA P-256 (small and quick, the default); `rsa`: RSA 3072 (for estates that ask for RSA). */
export const KEY_TYPES = ['ec', 'rsa'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export const DEFAULT_CA_SUBJECT = 'CN=soar-clearing network CA';
export const DEFAULT_CA_DAYS = 3650;
export const DEFAULT_NODE_DAYS = 365;
/** Where `pki init` puts the CA and `pki issue` looks for it. */
export const DEFAULT_PKI_DIR = 'pki';
