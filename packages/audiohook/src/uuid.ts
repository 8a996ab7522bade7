/** UUID format accepted on the wire (digest §3.1): RFC 4122 versions 1-5, or the nil UUID. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
export const UUID_PATTERN =
  /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000)$/;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}
