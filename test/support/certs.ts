/** The openssl-made test PKI; lives in sim/testbed/pki.ts since the demo uses it too. */
export * from '../../sim/testbed/pki.js';
