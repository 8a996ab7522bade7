/**
 * AudioHook durations (digest §3.1): `PT<decimal seconds>S`, seconds only, never negative, never exponent notation.
 * Serialisation rounds to DURATION_FRACTION_DIGITS (nanoseconds, far below one 8 kHz sample = 125 µs) and trims
 * trailing zeros, so 1e-7 s → `PT0.0000001S` and 1e-10 s → `PT0S`.
 */
import type { Duration } from './contract.js';

export const SAMPLE_RATE = 8000;
export const DURATION_FRACTION_DIGITS = 9;
export const DURATION_PATTERN = /^PT(?:\d*\.)?\d+S$/;

export function isDuration(value: unknown): value is Duration {
  return typeof value === 'string' && DURATION_PATTERN.test(value);
}

/** Throws RangeError for negative (beyond rounding) or non-finite input: a negative duration is a caller bug. */
export function formatDuration(seconds: number): Duration {
  if (!Number.isFinite(seconds)) throw new RangeError(`duration must be finite, got ${seconds}`);
  // toFixed never uses exponent notation below 1e21.
  if (seconds >= 1e21) throw new RangeError(`duration too large: ${seconds}`);
  let text = seconds.toFixed(DURATION_FRACTION_DIGITS);
  if (text.startsWith('-')) {
    if (/^-0\.0+$/.test(text)) text = text.slice(1);
    else throw new RangeError(`duration must not be negative, got ${seconds}`);
  }
  text = text.replace(/\.?0+$/, '');
  return `PT${text === '' ? '0' : text}S`;
}

/** Strict parse per the digest regex; throws RangeError on anything else (`PT1M5S`, `PT1e-7S`, `PT12.S`, `-PT1S`). */
export function parseDuration(text: string): number {
  if (!isDuration(text)) throw new RangeError(`not an AudioHook duration: ${JSON.stringify(text)}`);
  return Number(text.slice(2, -1));
}

/** Duration → whole samples at 8 kHz (rounded to the nearest sample). */
export function durationToSamples(duration: Duration, rate: number = SAMPLE_RATE): number {
  return Math.round(parseDuration(duration) * rate);
}

/** Whole samples at 8 kHz → Duration (exact: 1/8000 s has at most 6 decimals). */
export function samplesToDuration(samples: number, rate: number = SAMPLE_RATE): Duration {
  return formatDuration(samples / rate);
}

export function samplesToSeconds(samples: number, rate: number = SAMPLE_RATE): number {
  return samples / rate;
}

export function secondsToSamples(seconds: number, rate: number = SAMPLE_RATE): number {
  return Math.round(seconds * rate);
}
