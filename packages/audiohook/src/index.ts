export * from './contract.js';
export * from './duration.js';
export * from './mulaw.js';
export * from './l16.js';
export * from './audio-frame.js';
export * from './wav.js';
export * from './stream-timeline.js';
