import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildWavHeader,
  parseWav,
  patchWavHeader,
  wavHeaderLength,
  wavPadding,
  WavFormatError,
} from '../src/index.js';

function wavFile(spec: Parameters<typeof buildWavHeader>[0], data: Uint8Array): Uint8Array {
  const header = buildWavHeader(spec, data.length);
  const out = new Uint8Array(header.length + data.length + wavPadding(data.length).length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

describe('WAV', () => {
  it('writes µ-law (format 7) so the data is byte-exact and parses back', () => {
    const data = Uint8Array.from([0xff, 0x00, 0x80, 0x0d, 0x7f]);
    const file = wavFile({ format: 'PCMU', channels: 1, sampleRate: 8000 }, data);
    expect(file.length).toBe(58 + 5 + 1);
    const view = new DataView(file.buffer);
    expect(view.getUint16(20, true)).toBe(7);
    expect(view.getUint32(4, true)).toBe(file.length - 8);
    const parsed = parseWav(file);
    expect(parsed).toMatchObject({ format: 'PCMU', channels: 1, sampleRate: 8000, bitsPerSample: 8 });
    expect(Array.from(parsed.data)).toEqual(Array.from(data));
  });

  it('writes 16-bit PCM (format 1) for L16 and parses it back', () => {
    const data = Uint8Array.from([1, 0, 2, 0, 3, 0, 4, 0]);
    const file = wavFile({ format: 'L16', channels: 2, sampleRate: 8000 }, data);
    expect(wavHeaderLength('L16')).toBe(44);
    expect(new DataView(file.buffer).getUint16(20, true)).toBe(1);
    const parsed = parseWav(file);
    expect(parsed).toMatchObject({ format: 'L16', channels: 2, sampleRate: 8000, bitsPerSample: 16 });
    expect(Array.from(parsed.data)).toEqual(Array.from(data));
  });

  it('patches sizes at finalisation (streaming: header written with 0 first)', () => {
    const spec = { format: 'PCMU' as const, channels: 2, sampleRate: 8000 };
    const header = buildWavHeader(spec, 0);
    patchWavHeader(header, spec, 3200);
    const view = new DataView(header.buffer);
    expect(view.getUint32(54, true)).toBe(3200);
    expect(view.getUint32(46, true)).toBe(1600); // fact: samples per channel
    expect(view.getUint32(4, true)).toBe(58 - 8 + 3200);
  });

  it('is readable by sox', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wav-'));
    try {
      const pcmu = join(dir, 'a.wav');
      writeFileSync(
        pcmu,
        wavFile({ format: 'PCMU', channels: 2, sampleRate: 8000 }, new Uint8Array(16000).fill(0xff)),
      );
      const info = execFileSync('soxi', [pcmu], { encoding: 'utf8' });
      expect(info).toMatch(/Channels\s*:\s*2/);
      expect(info).toMatch(/Sample Rate\s*:\s*8000/);
      expect(info).toMatch(/u-law/i);
      expect(info).toMatch(/00:00:01\.00/);
      const l16 = join(dir, 'b.wav');
      writeFileSync(l16, wavFile({ format: 'L16', channels: 1, sampleRate: 8000 }, new Uint8Array(8000)));
      expect(execFileSync('soxi', ['-e', l16], { encoding: 'utf8' })).toMatch(/Signed Integer PCM/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tolerates a streaming data size of 0 and skips unknown chunks', () => {
    const header = buildWavHeader({ format: 'L16', channels: 1, sampleRate: 8000 }, 0);
    const list = Uint8Array.from([...'LIST'].map((c) => c.charCodeAt(0)).concat([2, 0, 0, 0, 9, 9]));
    const withList = new Uint8Array([...header.subarray(0, 36), ...list, ...header.subarray(36), 5, 0, 6, 0]);
    expect(Array.from(parseWav(withList).data)).toEqual([5, 0, 6, 0]);
  });

  it('rejects what it cannot read with a clear WavFormatError', () => {
    expect(() => parseWav(new Uint8Array(10))).toThrow(WavFormatError);
    const eightBitPcm = wavFile({ format: 'L16', channels: 1, sampleRate: 8000 }, new Uint8Array(4));
    new DataView(eightBitPcm.buffer).setUint16(34, 8, true);
    expect(() => parseWav(eightBitPcm)).toThrow(/unsupported WAV encoding/);
    const noData = buildWavHeader({ format: 'L16', channels: 1, sampleRate: 8000 }, 0).subarray(0, 36);
    expect(() => parseWav(noData)).toThrow(/no data chunk/);
  });
});
