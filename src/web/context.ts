/** What every web route may use: the node's config and network, sessions, throttle, log. */
import type { ClearingNetwork } from '../clearing/network.js';
import type { AppConfig, WebConfig } from '../config/types.js';
import type { Logger } from '../types.js';
import type { SessionStore } from './session.js';
import type { LoginThrottle } from './throttle.js';

export interface WebContext {
  readonly config: AppConfig;
  readonly web: WebConfig;
  readonly network: ClearingNetwork;
  readonly sessions: SessionStore;
  readonly throttle: LoginThrottle;
  readonly log: Logger;
  /** When this web server started (ms since epoch), for the node's own health. */
  readonly startedAt: number;
  readonly now: () => number;
}
