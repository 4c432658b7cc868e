/** The message destination SOAR sends this app's function calls to. */
import type { MessageDestinationDef } from './model.js';

export const DESTINATION: MessageDestinationDef = {
  programmaticName: 'fn_clearing',
  name: 'fn_clearing',
  destinationType: 0,
  expectAck: true,
  description:
    'Queue the clearing node takes function calls from (STOMP `actions.<org_id>.fn_clearing`). ' +
    'The API key of the app must be allowed to use it; `soar-clearing customize` grants that.',
};
