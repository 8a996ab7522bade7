export { main, EXIT_OK, EXIT_FAILED, EXIT_USAGE } from './main.js';
export { parseOptions, usage, UsageError, type SimOptions } from './options.js';
export {
  scenario,
  scenarioNames,
  type Scenario,
  type ScenarioName,
  type ScenarioAction,
} from './scenarios.js';
export { SimSession, type SessionConfig, type SessionResult } from './sim-session.js';
export { FrameClock, type FrameClockMember } from './frame-clock.js';
export { ToneSource } from './tone-source.js';
export { SilenceSource } from './silence-source.js';
export { WavSource, WavSourceError } from './wav-source.js';
export type { AudioSource } from './audio-source.js';
export { LatencyStats, type LatencySummary } from './latency-stats.js';
export { runLoad } from './load-mode.js';
export type { LoadSummary } from './load-run.js';
export type { SingleRunSummary } from './single-run.js';
export type { TranscriptLine } from './transcript-line.js';
