/**
 * Media selection for `opened` (digest §4.2, §7.2, §7.7, MUST 11). Lenient in what we receive: each offered entry
 * is checked on its own and an unusable one (another type, format, rate or channel name) is skipped, so an offer
 * that also lists, say, opus still opens. Strict in what we send: the selected entry is rebuilt with exactly the
 * defined members `{type, format, channels, rate}` in the offered channel order, never echoed with unknown members.
 * Preference: the first usable stereo entry, else the first usable mono entry, else null.
 */
import type { MediaParameter } from './contract.js';
import { mediaParameterSchema } from './message-schemas.js';

export type MediaOfferCheck = { usable: true; media: MediaParameter } | { usable: false; reason: string };

/** One offered entry: usable (as the member-exact copy to send back) or why not. */
export function checkMediaOffer(entry: unknown): MediaOfferCheck {
  const parsed = mediaParameterSchema.safeParse(entry);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'entry';
    return { usable: false, reason: `${where}: ${issue?.message ?? 'not a media parameter'}`.slice(0, 160) };
  }
  const { type, format, channels, rate } = parsed.data;
  return { usable: true, media: { type, format, channels: [...channels], rate } };
}

export function selectMedia(offers: readonly unknown[]): MediaParameter | null {
  const usable = offers.flatMap((entry) => {
    const check = checkMediaOffer(entry);
    return check.usable ? [check.media] : [];
  });
  return usable.find((m) => m.channels.length === 2) ?? usable.find((m) => m.channels.length === 1) ?? null;
}
