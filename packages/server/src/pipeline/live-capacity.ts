/**
 * Live decode capacity: how many channels this instance decodes live, and which calls hold them. A call is admitted
 * whole (all its channels) or not at all; past capacity it is recorded and stored as "transcript pending" and
 * transcribed from its recording later. Transcription Connector calls take precedence over Monitor calls because
 * Genesys is waiting for their events: when full, a connector call preempts the Monitor call admitted last (it has
 * the least live transcript to lose), which then goes to post-call transcription like any call over capacity.
 */
import type { EndpointProfile } from '../session-events.js';

export interface LiveSlotHolder {
  sessionId: string;
  profile: EndpointProfile;
  channels: number;
  /** called once when a connector call takes this call's slots; the call stops decoding live */
  onPreempted(reason: string): void;
}

export type Admission = { admitted: true } | { admitted: false; reason: string };

export class LiveDecodeCapacity {
  /** admitted calls in admission order */
  private readonly holders = new Map<string, LiveSlotHolder>();
  private used = 0;

  /** `channels`: live channel slots of this instance (0 = nothing is decoded live) */
  constructor(readonly channels: number) {
    if (!Number.isInteger(channels) || channels < 0) throw new RangeError('channels must be an integer ≥ 0');
  }

  get inUse(): number {
    return this.used;
  }

  get calls(): number {
    return this.holders.size;
  }

  admit(holder: LiveSlotHolder): Admission {
    if (this.holders.has(holder.sessionId)) return { admitted: true };
    if (holder.channels > this.channels) return { admitted: false, reason: this.fullReason(holder) };
    if (this.used + holder.channels > this.channels && holder.profile === 'transcription') {
      this.preemptMonitorCallsFor(holder);
    }
    if (this.used + holder.channels > this.channels) {
      return { admitted: false, reason: this.fullReason(holder) };
    }
    this.holders.set(holder.sessionId, holder);
    this.used += holder.channels;
    return { admitted: true };
  }

  /** Gives the call's slots back (call ended, or preempted). Unknown ids are ignored. */
  release(sessionId: string): void {
    const holder = this.holders.get(sessionId);
    if (!holder) return;
    this.holders.delete(sessionId);
    this.used -= holder.channels;
  }

  private preemptMonitorCallsFor(holder: LiveSlotHolder): void {
    const monitors = [...this.holders.values()].filter((h) => h.profile === 'monitor').reverse();
    const freeable = monitors.reduce((n, h) => n + h.channels, 0);
    if (this.channels - this.used + freeable < holder.channels) return; // preempting would not be enough
    for (const monitor of monitors) {
      if (this.used + holder.channels <= this.channels) break;
      this.release(monitor.sessionId);
      try {
        monitor.onPreempted(`live capacity taken by Transcription Connector call ${holder.sessionId}`);
      } catch {
        // the preempted call's own clean-up must not stop the admission
      }
    }
  }

  private fullReason(holder: LiveSlotHolder): string {
    return `live capacity full: ${this.used} of ${this.channels} channels decoding, the call needs ${holder.channels}`;
  }
}
