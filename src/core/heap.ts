/**
 * Imported first by the command line, before any other module loads: keeps V8's young
 * generation at its initial size (1 MiB semi-spaces) instead of letting it grow to 16 MiB ones.
 * Loading the modules allocates in a burst at start-up; V8 then grew the young generation to
 * 32 MiB and never gave it back while the process idled: ~14 MiB of an idle `soar-clearing run`
 * (issue 13). The growth factor is read at every collection, so it can be set at run time
 * (unlike --max-semi-space-size); a small young generation means more, shorter scavenges.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1');
