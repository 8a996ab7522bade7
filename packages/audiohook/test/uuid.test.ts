import { describe, expect, it } from 'vitest';
import { NIL_UUID, isUuid, uuidV4FromBytes } from '../src/index.js';

describe('UUIDs', () => {
  it('MUST 21: generates RFC 4122 version-4 UUIDs from injected randomness', () => {
    const id = uuidV4FromBytes(new Uint8Array(16).fill(0xff));
    expect(id).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(uuidV4FromBytes(new Uint8Array(16))).toBe('00000000-0000-4000-8000-000000000000');
    expect(isUuid(id)).toBe(true);
    expect(() => uuidV4FromBytes(new Uint8Array(15))).toThrow(RangeError);
  });

  it('accepts the nil UUID and RFC 4122 versions 1-5 only', () => {
    expect(isUuid(NIL_UUID)).toBe(true);
    expect(isUuid('30b0e395-84d3-6570-ac13-9a62d8f514c0')).toBe(false);
    expect(isUuid('30b0e395-84d3-4570-7c13-9a62d8f514c0')).toBe(false);
    expect(isUuid('30B0E395-84D3-4570-AC13-9A62D8F514C0')).toBe(true);
    expect(isUuid(42)).toBe(false);
  });
});
