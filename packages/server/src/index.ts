export * from './app.js';
export * from './config.js';
export * from './dev-audiohook-key.js';
export * from './endpoints.js';
export * from './logger.js';
export * from './metrics.js';
export * from './session-events.js';
export { attachCallRecorder, recordingDirFor } from './recording/call-recorder.js';
export { AUTH_FAILURE_MIN_DELAY_MS } from './upgrade/upgrade-gate.js';
