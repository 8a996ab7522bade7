import { describe, expect, it } from 'vitest';
import { decodeWav, mulawToLinear, WavDecodeError } from '../src/lib/mulaw-wav.js';
import { maskAni } from '../src/lib/mask-ani.js';
import { buildWordTimeline, wordAtTime } from '../src/lib/word-at-time.js';
import { segment } from './support/fake-api.js';
import { mulawWav } from './support/fake-audio.js';

describe('wordAtTime (current time → word)', () => {
  // customer words: I 1.0–1.35, was 1.4–1.75, charged 1.8–2.15; agent overlaps: yes 1.9–2.25
  const timeline = buildWordTimeline([
    segment('c', 'customer', 'I was charged', 1, true),
    segment('a', 'agent', 'yes', 1.9, true),
  ]);

  it('finds the word whose span contains the time', () => {
    expect(wordAtTime(timeline, 1.0)).toEqual({ segmentId: 'c', index: 0 });
    expect(wordAtTime(timeline, 1.5)).toEqual({ segmentId: 'c', index: 1 });
    expect(wordAtTime(timeline, 1.85)).toEqual({ segmentId: 'c', index: 2 });
  });

  it('is null before the first word, in gaps, and after the last', () => {
    expect(wordAtTime(timeline, 0)).toBeNull();
    expect(wordAtTime(timeline, 1.37)).toBeNull();
    expect(wordAtTime(timeline, 9)).toBeNull();
    expect(wordAtTime(buildWordTimeline([]), 1)).toBeNull();
  });

  it('with overlapping speech picks the word that started last, then falls back to the other side', () => {
    expect(wordAtTime(timeline, 2.0)).toEqual({ segmentId: 'a', index: 0 });
    expect(wordAtTime(timeline, 2.2)).toEqual({ segmentId: 'a', index: 0 });
    const longCustomer = buildWordTimeline([
      {
        ...segment('c', 'customer', 'hello', 1, true),
        words: [{ text: 'hello', offset: 1, duration: 2, confidence: 1 }],
      },
      segment('a', 'agent', 'ok', 1.5, true),
    ]);
    expect(wordAtTime(longCustomer, 2.5)).toEqual({ segmentId: 'c', index: 0 });
  });

  it('the word end is exclusive (the next word takes over at its start)', () => {
    const t = buildWordTimeline([
      {
        ...segment('c', 'customer', 'a b', 0, true),
        words: [
          { text: 'a', offset: 0, duration: 0.5, confidence: 1 },
          { text: 'b', offset: 0.5, duration: 0.5, confidence: 1 },
        ],
      },
    ]);
    expect(wordAtTime(t, 0.5)).toEqual({ segmentId: 'c', index: 1 });
  });
});

describe('µ-law WAV decoding', () => {
  it('expands G.711 µ-law per the standard', () => {
    expect(mulawToLinear(0xff)).toBe(0);
    expect(mulawToLinear(0x7f)).toBe(0);
    expect(mulawToLinear(0x80)).toBe(32124);
    expect(mulawToLinear(0x00)).toBe(-32124);
  });

  it('decodes a stereo µ-law recording into two channels at 8 kHz', () => {
    const wav = decodeWav(mulawWav(0.5));
    expect(wav.sampleRate).toBe(8000);
    expect(wav.channels).toHaveLength(2);
    expect(wav.channels[0]!.length).toBe(4000);
    expect(wav.durationSeconds).toBe(0.5);
    expect(wav.channels[1]!.every((s) => s === 0)).toBe(true);
  });

  it('takes what is there when the data size is a placeholder (recording still being written)', () => {
    const buf = mulawWav(0.25);
    new DataView(buf).setUint32(40, 0xffffffff, true);
    expect(decodeWav(buf).channels[0]!.length).toBe(2000);
  });

  it('refuses what it cannot play with a clear error', () => {
    expect(() => decodeWav(new TextEncoder().encode('<html>not audio</html>').buffer)).toThrow(
      WavDecodeError,
    );
    const buf = mulawWav(0.1);
    new DataView(buf).setUint16(20, 3, true); // IEEE float
    expect(() => decodeWav(buf)).toThrow(/unsupported WAV format 3/);
  });
});

describe('maskAni', () => {
  it('keeps the country code and the last four digits', () => {
    expect(maskAni('tel:+14155551234')).toBe('+1••••••1234');
    expect(maskAni('+447700900123')).toBe('+4•••••••0123');
    expect(maskAni('sip:5551234567@carrier.example')).toBe('••••••4567');
  });
  it('masks short or empty numbers entirely', () => {
    expect(maskAni('')).toBe('unknown');
    expect(maskAni('tel:1234')).toBe('••••');
  });
});
