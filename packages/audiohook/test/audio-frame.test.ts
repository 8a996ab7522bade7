import { describe, expect, it } from 'vitest';
import {
  AudioFrameEvent,
  decodeFrame,
  encodeFrame,
  frameSampleCount,
  l16Decode,
  l16Encode,
  mulawEncode,
  splitMulawFrame,
} from '../src/index.js';

const stereoPcmu = { format: 'PCMU', channels: ['external', 'internal'] } as const;
const stereoL16 = { format: 'L16', channels: ['internal', 'external'] } as const;

describe('audio frames', () => {
  it('L16 is little-endian', () => {
    expect(Array.from(l16Decode(Uint8Array.from([0x34, 0x12, 0xff, 0xff, 0x00, 0x80])))).toEqual([
      0x1234, -1, -32768,
    ]);
    expect(Array.from(l16Encode(Int16Array.from([0x1234, -2])))).toEqual([0x34, 0x12, 0xfe, 0xff]);
    expect(() => l16Decode(new Uint8Array(3))).toThrow(RangeError);
  });

  it('L16 decodes from an unaligned view', () => {
    const buf = Uint8Array.from([0xaa, 0x01, 0x00, 0x02, 0x00]);
    expect(Array.from(l16Decode(buf.subarray(1)))).toEqual([1, 2]);
  });

  it('MUST 23: de-interleaves PCMU stereo in the negotiated channel order, 1 byte per sample', () => {
    // sample instants: [ch0, ch1] = [0x00, 0x80], [0xff, 0x0d]
    const [ch0, ch1] = decodeFrame(Uint8Array.from([0x00, 0x80, 0xff, 0x0d]), stereoPcmu);
    expect(Array.from(ch0!)).toEqual([-32124, 0]);
    expect(Array.from(ch1!)).toEqual([32124, -18812]);
  });

  it('MUST 23: de-interleaves L16 stereo little-endian, 2 bytes per sample, in offered order', () => {
    const frame = Uint8Array.from([1, 0, 2, 0, 3, 0, 4, 0]);
    const [first, second] = decodeFrame(frame, stereoL16);
    expect(Array.from(first!)).toEqual([1, 3]); // "internal" was offered first
    expect(Array.from(second!)).toEqual([2, 4]);
  });

  it('decodes mono PCMU and mono L16', () => {
    const [pcmu] = decodeFrame(Uint8Array.from([0x00, 0xff, 0x80]), {
      format: 'PCMU',
      channels: ['internal'],
    });
    expect(Array.from(pcmu!)).toEqual([-32124, 0, 32124]);
    const [l16] = decodeFrame(Uint8Array.from([0xff, 0x7f, 0x00, 0x80]), {
      format: 'L16',
      channels: ['external'],
    });
    expect(Array.from(l16!)).toEqual([32767, -32768]);
  });

  it('rejects frame lengths that are not a multiple of channels × bytes per sample', () => {
    expect(frameSampleCount(3, stereoPcmu)).toBeNull();
    expect(frameSampleCount(6, stereoL16)).toBeNull();
    expect(frameSampleCount(8, stereoL16)).toBe(2);
    expect(frameSampleCount(3, { format: 'PCMU', channels: ['external'] })).toBe(3);
    expect(() => decodeFrame(new Uint8Array(3), stereoPcmu)).toThrow(/multiple of 2/);
  });

  it('encodeFrame interleaves and round-trips through decodeFrame', () => {
    const a = Int16Array.from([100, -200, 3000]);
    const b = Int16Array.from([-5, 7, 32000]);
    const l16 = encodeFrame([a, b], 'L16');
    expect(l16.length).toBe(12);
    const [ra, rb] = decodeFrame(l16, stereoL16);
    expect(Array.from(ra!)).toEqual(Array.from(a));
    expect(Array.from(rb!)).toEqual(Array.from(b));
    const pcmu = encodeFrame([a, b], 'PCMU');
    expect(pcmu.length).toBe(6);
    expect(() => encodeFrame([a, Int16Array.from([1])], 'PCMU')).toThrow(RangeError);
  });
});

describe('AudioFrameEvent', () => {
  it('keeps the raw frame and decodes PCM once, on first access', () => {
    const raw = Uint8Array.of(0xff, 0x00, 0x7f, 0x80);
    const event = new AudioFrameEvent(raw, 160, { format: 'PCMU', channels: ['external', 'internal'] });
    expect(event).toMatchObject({ type: 'audio', raw, startSample: 160 });
    const first = event.channels;
    expect(first.map((c) => [...c])).toEqual(
      decodeFrame(raw, { format: 'PCMU', channels: ['external', 'internal'] }).map((c) => [...c]),
    );
    expect(event.channels).toBe(first);
  });

  it('gives each channel its µ-law bytes as received, 0x7F included, without decoding; null for L16', () => {
    const raw = Uint8Array.of(0x7f, 0x00, 0xff, 0x80, 0x7f, 0x7f);
    const event = new AudioFrameEvent(raw, 0, { format: 'PCMU', channels: ['external', 'internal'] });
    expect(event.samples).toBe(3);
    expect(event.mulaw!.map((c) => [...c])).toEqual([
      [0x7f, 0xff, 0x7f],
      [0x00, 0x80, 0x7f],
    ]);
    expect(event.mulaw).toBe(event.mulaw);
    const mono = new AudioFrameEvent(raw, 0, { format: 'PCMU', channels: ['external'] });
    expect([...mono.mulaw![0]!]).toEqual([...raw]);
    expect(mono.mulaw![0]!.buffer).not.toBe(raw.buffer); // a copy: kept audio holds no socket buffer
    const l16 = new AudioFrameEvent(raw, 0, { format: 'L16', channels: ['external'] });
    expect(l16.samples).toBe(3);
    expect(l16.mulaw).toBeNull();
  });
});

describe('splitMulawFrame', () => {
  it('de-interleaves in the negotiated order and rejects a frame of partial samples', () => {
    const a = Int16Array.from([100, -200, 0, 32000]);
    const b = Int16Array.from([-5, 7, 0, -32000]);
    const frame = encodeFrame([a, b], 'PCMU');
    const [ma, mb] = splitMulawFrame(frame, stereoPcmu)!;
    expect([...ma!]).toEqual([...mulawEncode(a)]);
    expect([...mb!]).toEqual([...mulawEncode(b)]);
    expect(() => splitMulawFrame(new Uint8Array(3), stereoPcmu)).toThrow(/multiple of 2/);
    expect(splitMulawFrame(new Uint8Array(4), stereoL16)).toBeNull();
  });
});
