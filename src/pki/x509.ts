/**
 * @peculiar/x509, set up for Node: it needs a Reflect metadata polyfill loaded before it (its
 * dependency injection, tsyringe, checks at import time) and uses Node's WebCrypto for keys
 * and signatures. Everything of src/pki imports the library from here, so the order holds.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto);

export { x509 };
