import { describe, expect, it } from 'vitest';
import { describeRetentionPolicy, parseRetentionPolicy } from '../src/index.js';

const DAY = 86_400_000;

describe('HOOKSCRIBE_RETENTION', () => {
  it('reads a period per kind; kinds not named are kept', () => {
    expect(parseRetentionPolicy('recordings=30d, transcripts=365d,assist=52w,audit=2y')).toEqual({
      recordings: 30 * DAY,
      transcripts: 365 * DAY,
      assist: 52 * 7 * DAY,
      audit: 730 * DAY,
    });
    expect(parseRetentionPolicy('recordings=36h')).toEqual({ recordings: 36 * 3_600_000 });
    expect(parseRetentionPolicy(undefined)).toEqual({});
    expect(parseRetentionPolicy('')).toEqual({});
    expect(describeRetentionPolicy(parseRetentionPolicy('recordings=30d,assist=36h'))).toEqual({
      recordings: '30d',
      transcripts: 'kept',
      assist: '36h',
      audit: 'kept',
    });
  });

  it.each([
    ['recording=30d', /kind one of recordings, transcripts, assist, audit/],
    ['recordings=30', /<number><h\|d\|w\|y>/],
    ['recordings=30m', /<number><h\|d\|w\|y>/],
    ['recordings=0h', /at least 1h/],
    ['recordings=1d,recordings=2d', /set twice/],
  ])('refuses %s with the rule', (value, message) => {
    expect(() => parseRetentionPolicy(value)).toThrow(message);
  });
});
