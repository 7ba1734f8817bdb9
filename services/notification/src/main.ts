import { ConfigError, stopOnSignals } from '@etsr/platform';
import { startNotificationService } from './bootstrap';

startNotificationService(process.env).then(
  (running) => stopOnSignals(running, running.logger),
  (e: unknown) => {
    // Before the logger exists (bad config) or when start-up fails: one JSON line, then exit non-zero.
    const message = e instanceof ConfigError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'FATAL', service: 'notification', message })}\n`);
    process.exit(1);
  },
);
