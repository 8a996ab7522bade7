#!/usr/bin/env node
/**
 * hookscribe-stt: post-call transcription as its own process (jobs from the shared store or Redis Streams,
 * recordings from the RecordingStore). Configured by the server's environment variables (docs/configuration.md).
 */
import { createLogger } from './logger.js';
import { LOG_LEVELS, type LogLevel } from './config.js';
import { startSttProcess } from './postcall/stt-process.js';

const level = (process.env.HOOKSCRIBE_LOG_LEVEL ?? 'info').toLowerCase() as LogLevel;
const logger = createLogger(LOG_LEVELS.includes(level) ? level : 'info').child({
  component: 'hookscribe-stt',
});

try {
  const running = await startSttProcess(process.env, logger);
  const shutdown = (signal: string) => {
    logger.info(`hookscribe-stt: ${signal}, stopping`);
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'hookscribe-stt: stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
} catch (err) {
  process.stderr.write(`hookscribe-stt: ${(err as Error).message}\n`);
  process.exit(2);
}
