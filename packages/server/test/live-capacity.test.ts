import { describe, expect, it } from 'vitest';
import { LiveDecodeCapacity, type LiveSlotHolder } from '../src/pipeline/live-capacity.js';
import { liveCapacityPlan } from '../src/pipeline/transcription-capacity.js';

function call(
  sessionId: string,
  profile: 'monitor' | 'transcription',
  preempted: string[] = [],
): LiveSlotHolder {
  return {
    sessionId,
    profile,
    channels: 2,
    onPreempted: (reason) => preempted.push(`${sessionId}: ${reason}`),
  };
}

describe('LiveDecodeCapacity', () => {
  it('admits whole calls up to its channels and refuses the next one with the reason', () => {
    const capacity = new LiveDecodeCapacity(5);
    expect(capacity.admit(call('a', 'monitor'))).toEqual({ admitted: true });
    expect(capacity.admit(call('b', 'transcription'))).toEqual({ admitted: true });
    expect(capacity.admit(call('c', 'monitor'))).toEqual({
      admitted: false,
      reason: 'live capacity full: 4 of 5 channels decoding, the call needs 2',
    });
    expect(capacity.inUse).toBe(4);
    capacity.release('a');
    capacity.release('a'); // twice is harmless
    expect(capacity.admit(call('c', 'monitor'))).toEqual({ admitted: true });
    expect(capacity.calls).toBe(2);
  });

  it('a Transcription Connector call preempts the Monitor call admitted last', () => {
    const preempted: string[] = [];
    const capacity = new LiveDecodeCapacity(4);
    capacity.admit(call('m1', 'monitor', preempted));
    capacity.admit(call('m2', 'monitor', preempted));
    expect(capacity.admit(call('t1', 'transcription', preempted))).toEqual({ admitted: true });
    expect(preempted).toEqual(['m2: live capacity taken by Transcription Connector call t1']);
    expect(capacity.admit(call('t2', 'transcription', preempted))).toEqual({ admitted: true });
    expect(preempted).toHaveLength(2);
    expect(capacity.inUse).toBe(4);
    // with only connector calls left, the next one waits for post-call like any call over capacity
    expect(capacity.admit(call('t3', 'transcription', preempted)).admitted).toBe(false);
    // a Monitor call never preempts
    expect(capacity.admit(call('m3', 'monitor', preempted)).admitted).toBe(false);
    expect(preempted).toHaveLength(2);
  });

  it('preempts nobody when even that would not make room', () => {
    const preempted: string[] = [];
    const capacity = new LiveDecodeCapacity(3);
    capacity.admit(call('t1', 'transcription', preempted));
    capacity.admit({ ...call('m1', 'monitor', preempted), channels: 1 });
    expect(capacity.admit({ ...call('t2', 'transcription', preempted), channels: 3 }).admitted).toBe(false);
    expect(preempted).toEqual([]);
  });
});

describe('liveCapacityPlan', () => {
  it('derives channels from cores and the first engine, unless overridden', () => {
    expect(liveCapacityPlan(['embedded'], null, 2)).toMatchObject({ channels: 10 });
    expect(liveCapacityPlan(['azure', 'embedded'], null, 4)).toMatchObject({ channels: 200 });
    expect(liveCapacityPlan(['embedded'], 3, 16)).toEqual({
      channels: 3,
      basis: 'HOOKSCRIBE_STT_LIVE_CHANNELS',
    });
    expect(liveCapacityPlan([], null, 8).channels).toBe(0);
  });
});
