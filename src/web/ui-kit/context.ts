/** What every web route may use: the node's config and network, sessions, throttle, log. */
import type { ClearingNetwork } from '../../clearing/network.js';
import type { AppConfig, WebConfig } from '../../config/types.js';
import type { Logger } from '../../core/types.js';
import type { SessionStore } from './session.js';
import type { LoginThrottle } from './throttle.js';

export interface WebContext {
  readonly config: AppConfig;
  readonly web: WebConfig;
  readonly network: ClearingNetwork;
  readonly sessions: SessionStore;
  /** Failed sign-ins, per user and address (web.login_throttle). */
  readonly throttle: LoginThrottle;
  /** Every sign-in that reaches SOAR, failed or not, per user and address (SIGNINS_PER_WINDOW). */
  readonly signins: LoginThrottle;
  /** The origins a POST may come from (CSRF): web.origin, else the node certificate's names. */
  readonly origins: readonly string[];
  readonly log: Logger;
  /** When this web server started (ms since epoch), for the node's own health. */
  readonly startedAt: number;
  readonly now: () => number;
}
