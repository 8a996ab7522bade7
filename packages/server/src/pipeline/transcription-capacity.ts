/**
 * How many channels this instance decodes live, derived from its cores and the engine's measured cost unless
 * HOOKSCRIBE_STT_LIVE_CHANNELS says otherwise (docs/operations.md, capacity planning).
 */
import { availableParallelism } from 'node:os';

/**
 * Live channels per core the first configured engine sustains while keeping ≥ 90% of the words a call gets alone:
 * - embedded (pocketsphinx): ~0.3 s of CPU per second of speech fed (docs/benchmarks/stt.md) and the segmenter feeds
 *   it speech only, roughly half of each channel's time; 5 channels per core leaves headroom for the socket tier,
 *   the recorder and load spikes (bench:stt-capacity, docs/benchmarks/stt-capacity.md).
 * - azure / openai / realtime: decoding is remote, the local cost is streaming audio; the real bound is the service's
 *   concurrency quota, which only the operator knows — set HOOKSCRIBE_STT_LIVE_CHANNELS to quota / replicas.
 */
export const LIVE_CHANNELS_PER_CORE: Record<string, number> = {
  embedded: 5,
  azure: 50,
  openai: 25,
  realtime: 25,
};

export interface LiveCapacityPlan {
  channels: number;
  /** how the number came about, for the start-up log */
  basis: string;
}

export function liveCapacityPlan(
  engines: readonly string[],
  override: number | null,
  cores: number = availableParallelism(),
): LiveCapacityPlan {
  if (engines.length === 0) return { channels: 0, basis: 'transcription off (HOOKSCRIBE_STT_ENGINES=none)' };
  if (override !== null) return { channels: override, basis: 'HOOKSCRIBE_STT_LIVE_CHANNELS' };
  const engine = engines[0]!;
  const perCore = LIVE_CHANNELS_PER_CORE[engine] ?? LIVE_CHANNELS_PER_CORE.embedded!;
  return {
    channels: Math.max(2, Math.floor(cores * perCore)),
    basis: `${cores} cores × ${perCore} channels per core (${engine} engine)`,
  };
}
