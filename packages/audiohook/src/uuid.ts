/** UUID format accepted on the wire (digest §3.1): RFC 4122 versions 1-5, or the nil UUID. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
export const UUID_PATTERN =
  /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000)$/;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/** An RFC 4122 version-4 UUID from 16 injected random bytes (MUST 21: IDs the server generates). */
export function uuidV4FromBytes(random: Uint8Array): string {
  if (random.length < 16) throw new RangeError('uuidV4FromBytes needs 16 random bytes');
  const b = Uint8Array.from(random.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
