#!/usr/bin/env node
/**
 * The installed `soar-clearing` command: joins the program (src/) with the SOAR functions it
 * serves (functions/). It lives outside src/ so that nothing in src/ depends on functions/.
 */
import '../src/core/heap.js'; // first: sets a V8 flag before the other modules allocate
import { hideBin } from 'yargs/helpers';
import { main } from '../src/app/cli.js';

main(hideBin(process.argv), { functions: () => import('../functions/index.js') }).then((code) => process.exit(code));
