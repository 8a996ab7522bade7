import { describe, expect, it } from 'vitest';
import {
  DURATION_PATTERN,
  durationToSamples,
  formatDuration,
  isDuration,
  parseDuration,
  samplesToDuration,
} from '../src/index.js';

describe('durations', () => {
  it('MUST 20: writes PT<decimal seconds>S with trimmed zeros and no exponent notation', () => {
    expect(formatDuration(0)).toBe('PT0S');
    expect(formatDuration(-0)).toBe('PT0S');
    expect(formatDuration(12.34)).toBe('PT12.34S');
    expect(formatDuration(5)).toBe('PT5S');
    expect(formatDuration(1e-7)).toBe('PT0.0000001S');
    expect(formatDuration(1e-10)).toBe('PT0S');
    expect(formatDuration(3600 * 5 + 0.125)).toBe('PT18000.125S');
    expect(formatDuration(1e20)).toBe('PT100000000000000000000S');
    for (const s of [1e-7, 2.5e-6, 0.1 + 0.2, 123456.789, 1e15]) {
      const text = formatDuration(s);
      expect(text).toMatch(DURATION_PATTERN);
      expect(text).not.toMatch(/e/i);
    }
  });

  it('MUST 20: never writes a negative duration (tiny rounding negatives become PT0S, real negatives throw)', () => {
    expect(formatDuration(-1e-12)).toBe('PT0S');
    expect(() => formatDuration(-0.5)).toThrow(RangeError);
    expect(() => formatDuration(Number.NaN)).toThrow(RangeError);
    expect(() => formatDuration(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('parses strictly per ^PT(?:\\d*\\.)?\\d+S$', () => {
    expect(parseDuration('PT0S')).toBe(0);
    expect(parseDuration('PT12.34S')).toBe(12.34);
    expect(parseDuration('PT.5S')).toBe(0.5);
    for (const bad of [
      'PT1M5S',
      'PT1e-7S',
      'PT12.S',
      '-PT1S',
      'PT-1S',
      'P1S',
      'PTS',
      'pt1s',
      ' PT1S',
      'PT1S ',
    ]) {
      expect(isDuration(bad)).toBe(false);
      expect(() => parseDuration(bad)).toThrow(RangeError);
    }
  });

  it('converts samples at 8 kHz both ways', () => {
    expect(samplesToDuration(1600)).toBe('PT0.2S');
    expect(samplesToDuration(1)).toBe('PT0.000125S');
    expect(samplesToDuration(99200)).toBe('PT12.4S');
    expect(durationToSamples('PT12.4S')).toBe(99200);
    expect(durationToSamples('PT0.000125S')).toBe(1);
    for (const n of [0, 1, 7, 1599, 1600, 123457, 8000 * 3600]) {
      expect(durationToSamples(samplesToDuration(n))).toBe(n);
    }
  });
});
