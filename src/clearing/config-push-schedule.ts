/**
 * The scheduled configuration push (network.config_push.schedule_minutes > 0, on the primary
 * node only): every period, a push with the reason "scheduled push". A push still running (or
 * started from the CLI or a workflow) makes the scheduled one skip its turn; failures are
 * logged by the push itself and the schedule goes on.
 */
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/types.js';
import { pushConfiguration } from './config-push.js';
import type { ClearingNetwork } from './network.js';

const SCHEDULED_REASON = 'scheduled push';

export class ConfigPushSchedule {
  private timer: NodeJS.Timeout | null = null;
  private readonly abort = new AbortController();

  private constructor(private readonly network: ClearingNetwork, private readonly log: Logger) {}

  /** Starts the schedule when configured and this node is the primary; null otherwise. */
  static start(network: ClearingNetwork, log: Logger): ConfigPushSchedule | null {
    const settings = network.config.network;
    if (!settings || settings.primary !== network.nodeId || settings.config_push.schedule_ms <= 0) return null;
    const schedule = new ConfigPushSchedule(network, log.child({ component: 'config-push-schedule' }));
    schedule.timer = setInterval(() => void schedule.run(), settings.config_push.schedule_ms);
    schedule.timer.unref();
    schedule.log.info(`configuration push every ${settings.config_push.schedule_ms / 60_000} minute(s)`);
    return schedule;
  }

  async run(): Promise<void> {
    try {
      await pushConfiguration(this.network, { reason: SCHEDULED_REASON, dryRun: false, log: this.log, signal: this.abort.signal });
    } catch (err) {
      const error = ClearingError.from(err);
      if (error.code === ErrorCode.ConfigPushBusy) this.log.info(`scheduled configuration push skipped: ${error.message}`);
      else this.log.warn(`scheduled configuration push failed: ${error.message}`, { code: error.code });
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.abort.abort(new ClearingError(ErrorCode.Aborted, 'the clearing node is stopping'));
  }
}
