import { describe, expect, it } from 'vitest';
import { mulawDecode, mulawDecodeSample, mulawEncode, mulawEncodeSample } from '../src/index.js';

describe('G.711 µ-law', () => {
  it('decodes the reference anchors (digest §6.2)', () => {
    expect(mulawDecodeSample(0x00)).toBe(-32124);
    expect(mulawDecodeSample(0x80)).toBe(32124);
    expect(mulawDecodeSample(0x0d)).toBe(-18812);
    expect(mulawDecodeSample(0xff)).toBe(0);
    expect(Math.abs(mulawDecodeSample(0x7f))).toBeLessThanOrEqual(1);
  });

  it('encodes every decoded value back to the same byte (except 0x7F, the second zero)', () => {
    for (let b = 0; b < 256; b++) {
      if (b === 0x7f) continue;
      expect(mulawEncodeSample(mulawDecodeSample(b))).toBe(b);
    }
    expect(mulawEncodeSample(0)).toBe(0xff);
  });

  it('encodes with bounded error and clips at full scale', () => {
    expect(mulawEncodeSample(32767)).toBe(0x80);
    expect(mulawEncodeSample(-32768)).toBe(0x00);
    for (let s = -32768; s < 32768; s += 97) {
      const back = mulawDecodeSample(mulawEncodeSample(s));
      // µ-law step at the top segment is 1024; within clip range the error is at most half a step
      expect(Math.abs(back - Math.max(-32124, Math.min(32124, s)))).toBeLessThanOrEqual(520);
    }
  });

  it('decodes and encodes arrays', () => {
    const bytes = Uint8Array.from([0x00, 0x80, 0xff, 0x0d]);
    expect(Array.from(mulawDecode(bytes))).toEqual([-32124, 32124, 0, -18812]);
    expect(Array.from(mulawEncode(mulawDecode(bytes)))).toEqual([0x00, 0x80, 0xff, 0x0d]);
  });
});
