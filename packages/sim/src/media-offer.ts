import type { MediaFormat, MediaParameter } from '@hookscribe/audiohook';
import type { OfferedChannels } from './options.js';

/**
 * The `open.media` offer. For stereo it is what Genesys typically offers: stereo first, then each channel alone
 * (digest §4.1), so a server that cannot take stereo still has a choice.
 */
export function mediaOffer(format: MediaFormat, channels: OfferedChannels): MediaParameter[] {
  const entry = (ch: MediaParameter['channels']): MediaParameter => ({
    type: 'audio',
    format,
    channels: ch,
    rate: 8000,
  });
  if (channels === 'external') return [entry(['external'])];
  if (channels === 'internal') return [entry(['internal'])];
  return [entry(['external', 'internal']), entry(['external']), entry(['internal'])];
}
