/** The openssl-made test PKI; lives in src/testbed/pki.ts since the demo uses it too. */
export * from '../../src/testbed/pki.js';
