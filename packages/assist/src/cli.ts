#!/usr/bin/env node
/** hookscribe-assist: the agent-assist worker as its own process. Configured by environment (see docs/assist.md). */
import { startAssistProcess } from './cli/assist-process.js';

const log = (level: string) => (message: string) =>
  process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg: message })}\n`);
const logger = { info: log('info'), warn: log('warn') };

try {
  const running = await startAssistProcess(process.env, logger);
  if (running) {
    const shutdown = (signal: string) => {
      logger.info(`hookscribe-assist: ${signal}, stopping`);
      running.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.warn(`hookscribe-assist: stop failed: ${(err as Error).message}`);
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  }
} catch (err) {
  logger.warn(`hookscribe-assist: ${(err as Error).message}`);
  process.exit(2);
}
