/**
 * HOOKSCRIBE_RETENTION: how long each kind of data is kept, counted from the call's start, e.g.
 * `recordings=30d,transcripts=365d,assist=365d,audit=730d`. A kind not named is kept until deleted by request.
 * Units: h (hours), d (days), w (weeks), y (365 days); the shortest period accepted is one hour.
 */

export const RETENTION_KINDS = ['recordings', 'transcripts', 'assist', 'audit'] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** Milliseconds per kind; absent = kept. */
export type RetentionPolicy = Partial<Record<RetentionKind, number>>;

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

export class RetentionPolicyError extends Error {
  override name = 'RetentionPolicyError';
}

export function parseRetentionPolicy(value: string | undefined): RetentionPolicy {
  const policy: RetentionPolicy = {};
  for (const entry of (value ?? '').split(',').map((part) => part.trim())) {
    if (entry === '') continue;
    const match = /^([a-z]+)\s*=\s*(\d{1,6})\s*([hdwy])$/i.exec(entry);
    const kind = match?.[1]?.toLowerCase() as RetentionKind | undefined;
    if (match === null || kind === undefined || !RETENTION_KINDS.includes(kind))
      throw new RetentionPolicyError(
        `HOOKSCRIBE_RETENTION: "${entry}" is not <kind>=<number><h|d|w|y> with kind one of ${RETENTION_KINDS.join(', ')}`,
      );
    if (policy[kind] !== undefined)
      throw new RetentionPolicyError(`HOOKSCRIBE_RETENTION: ${kind} is set twice`);
    const ms = Number(match[2]) * UNIT_MS[match[3]!.toLowerCase()]!;
    if (ms < UNIT_MS.h!) throw new RetentionPolicyError(`HOOKSCRIBE_RETENTION: ${kind} must be at least 1h`);
    policy[kind] = ms;
  }
  return policy;
}

/** `recordings=30d, transcripts=365d` for logs and the API (whole days where the period is whole days). */
export function describeRetentionPolicy(policy: RetentionPolicy): Record<RetentionKind, string> {
  const described = {} as Record<RetentionKind, string>;
  for (const kind of RETENTION_KINDS) {
    const ms = policy[kind];
    described[kind] =
      ms === undefined ? 'kept' : ms % UNIT_MS.d! === 0 ? `${ms / UNIT_MS.d!}d` : `${ms / UNIT_MS.h!}h`;
  }
  return described;
}
