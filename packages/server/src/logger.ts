/**
 * The process logger: pino JSON lines. Per-session loggers are children carrying the session, conversation,
 * correlation and organisation ids. Credentials never reach the logger; the redaction list is a second line of defence.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

const REDACTED_PATHS = [
  'headers["x-api-key"]',
  'headers.signature',
  'headers["signature-input"]',
  'req.headers["x-api-key"]',
  'req.headers.signature',
  'req.headers["signature-input"]',
  'secret',
  '*.secret',
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'hookscribe', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
