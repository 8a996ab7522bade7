/**
 * Media selection for `opened` (digest §4.2, §7.2, MUST 11): the first stereo offer, kept verbatim in its offered
 * channel order; else the first mono offer; null when nothing usable is offered. PCMU and L16 are both accepted.
 */
import type { MediaParameter } from './contract.js';

export function selectMedia(offers: readonly MediaParameter[]): MediaParameter | null {
  const usable = offers.filter(
    (m) => m.type === 'audio' && (m.format === 'PCMU' || m.format === 'L16') && m.rate === 8000,
  );
  return usable.find((m) => m.channels.length === 2) ?? usable.find((m) => m.channels.length === 1) ?? null;
}
