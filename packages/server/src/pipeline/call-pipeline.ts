/**
 * The call pipeline, a SessionEventHub subscriber: for every call (probes excepted) it
 *  - transcribes both channels (CallTranscriber from @hookscribe/speech),
 *  - on the Transcription Connector endpoint sends finals back as `transcript` entities through the rate-limited
 *    event sender, flushed before `closed`,
 *  - stores the conversation and its redacted final segments, each write enqueueing its ConversationEvent in the
 *    same transaction (outbox), so the bus, the live API, webhooks and assist see them at least once.
 * Nothing here can disturb the protocol session: store and engine failures are logged and the call goes on.
 */
import {
  TranscriptEntityBuilder,
  RateLimitedEventSender,
  CallTranscriber,
  callPhraseHints,
  type CallTranscriberOptions,
  type CallEngineChoice,
  type SpeechEngine,
  type TranscriberStatus,
  type TranscriptEvent,
} from '@hookscribe/speech';
import type { ConversationStore, TranscriptionState, TranscriptRedactor } from '@hookscribe/conversations';
import type { Logger } from 'pino';
import type {
  CallControl,
  CallInfo,
  CallOutcome,
  SessionEventHub,
  SessionEventMap,
  SessionSubscriber,
} from '../session-events.js';
import { conversationSummaryOf, transcriptSegmentOf } from './call-records.js';
import { conversationEvent } from './conversation-event-factory.js';
import { CallMetricsTracker } from './call-metrics-tracker.js';
import type { LiveDecodeCapacity } from './live-capacity.js';

/** How a call's live transcription went, handed to post-call transcription when the call has ended. */
export interface LiveTranscriptOutcome {
  /** false when the live transcript is missing or has holes */
  complete: boolean;
  /** why it is not complete (null when complete) */
  reason: string | null;
}

export interface CallPipelineOptions {
  engines: readonly SpeechEngine[];
  /** per-call engine choice from customConfig.sttEngine (HOOKSCRIBE_STT_ENGINE_ALLOWLIST); default: `engines` */
  engineChoice?: CallEngineChoice;
  /** CallTranscriber settings from configuration (partials, default language, VAD, segmenter) */
  transcriber: Omit<CallTranscriberOptions, 'engines' | 'onTranscript' | 'onStatus' | 'callId'>;
  store: ConversationStore;
  redactor: TranscriptRedactor;
  /** nudges the outbox relay after a write so events flow without waiting for its poll */
  onEventsWritten?: () => void;
  /** Transcription Connector back-channel: send partials to Genesys too (default false) */
  connectorPartials?: boolean;
  /** client rate limit on server messages (digest §7.6) */
  rateLimit?: { ratePerSecond: number; burst: number };
  /** least wall time between two live call-metric writes per call (default 5000; 0 = after every final) */
  metricsIntervalMs?: number;
  /** a result was produced; `latencyMs` (finals): since the audio that ended the utterance was received */
  onTranscript?: (call: CallInfo, event: TranscriptEvent, latencyMs: number | null) => void;
  /** live decode slots; absent = every call is decoded live */
  capacity?: LiveDecodeCapacity;
  /** a call is not (or no longer) decoded live: over capacity, preempted, engine failure (metrics) */
  onNotLive?: (call: CallInfo, reason: string) => void;
  /** a transcribed call ended and its conversation is stored: post-call transcription decides what to queue */
  onCallEnded?: (call: CallInfo, outcome: LiveTranscriptOutcome) => void;
}

/** What other subscribers (agent assist) may ask of a live call held by this pipeline. */
export interface LiveCalls {
  get(sessionId: string): LiveCall | undefined;
}

export interface LiveCall {
  call: CallInfo;
  control: CallControl;
  log: Logger;
  /** queue `event` entities for the client through the rate limiter (transcription endpoint only) */
  sendEntities(entities: import('@hookscribe/audiohook').EventEntity[]): boolean;
}

interface CallState extends LiveCall {
  /** null when transcription is off (HOOKSCRIBE_STT_ENGINES=none) */
  transcriber: CallTranscriber | null;
  sender: RateLimitedEventSender | null;
  entities: TranscriptEntityBuilder | null;
  /** store writes of this call, chained so its events keep their order in the outbox */
  writes: Promise<void>;
  /** the client's `close` reason, when it sent one */
  closeReason: string | null;
  /** stream position just after the last audio frame, and when it arrived (ms) */
  lastAudio: { endSample: number; at: number } | null;
  metrics: CallMetricsTracker;
  /** why the live transcript is missing or incomplete; null while it is complete */
  notLive: string | null;
}

/**
 * A hub audio frame as the transcriber's input: a class, not a literal with getters (one per frame of every call),
 * that keeps both of the frame's lazy views, so neither is computed unless an engine needs it.
 */
class TranscriberAudio {
  readonly type = 'audio' as const;
  readonly startSample: number;

  constructor(private readonly frame: SessionEventMap['audio']) {
    this.startSample = frame.startSample;
  }

  get channels(): Int16Array[] {
    return this.frame.channels;
  }

  get mulaw(): Uint8Array[] | null {
    return this.frame.mulaw;
  }
}

function transcriptionState(status: TranscriptionState['status'], reason: string | null): TranscriptionState {
  return { status, reason, version: 'live', updatedAt: new Date().toISOString() };
}

/**
 * Statuses after which part of the call's audio has no live transcript. A flush timeout is not one: the finals still
 * arrive after `closed` and are stored; only an engine that stopped leaves audio untranscribed.
 */
function holeIn(status: TranscriberStatus): string | null {
  if (status.type === 'transcription-unavailable')
    return `live transcription of channel ${status.channel} stopped: ${status.reason}`;
  return null;
}

/**
 * Wall time from receiving the audio that ends an utterance to its final: the end's arrival is taken from the last
 * frame received, assuming frames arrive in real time (as Genesys sends them).
 */
function finalLatencyMs(state: CallState, event: TranscriptEvent): number | null {
  if (event.type !== 'final' || !state.lastAudio) return null;
  const utteranceEnd = event.startSample + event.durationSamples;
  const endArrivedAt = state.lastAudio.at - ((state.lastAudio.endSample - utteranceEnd) / 8000) * 1000;
  return Math.max(0, Date.now() - endArrivedAt);
}

export function callPipeline(options: CallPipelineOptions): {
  subscriber: SessionSubscriber;
  live: LiveCalls;
  /** resolves once an ended call's last store writes (finals, end) are done; at once for unknown calls */
  settled(sessionId: string): Promise<void>;
} {
  const calls = new Map<string, CallState>();
  const settling = new Map<string, Promise<void>>();

  const write = (state: CallState, what: string, work: () => Promise<void>) => {
    state.writes = state.writes.then(work).then(
      () => options.onEventsWritten?.(),
      (err: unknown) =>
        state.log.error({ err, write: what }, 'conversation store write failed; the call goes on'),
    );
  };

  /** The live transcript of this call will have a hole: say so once (log, metric, stored state). */
  const markNotLive = (state: CallState, reason: string) => {
    if (state.notLive !== null) return;
    state.notLive = reason;
    state.log.warn({ transcription: 'pending', reason }, 'live transcript incomplete: transcript pending');
    options.onNotLive?.(state.call, reason);
    const id = state.call.sessionId;
    write(state, 'transcription', () =>
      options.store.setTranscription(id, transcriptionState('pending', reason)),
    );
  };

  const onTranscript = (state: CallState, event: TranscriptEvent) => {
    options.onTranscript?.(state.call, event, finalLatencyMs(state, event));
    if (event.gap) {
      const { startSample, endSample, fromEngine } = event.gap;
      markNotLive(
        state,
        `engine ${fromEngine} failed: audio from ${startSample / 8000} s to ${endSample / 8000} s not transcribed live`,
      );
    }
    if (state.entities && state.sender) {
      const entities = state.entities.build(event);
      if (entities.length > 0) state.sender.enqueue(entities);
    }
    const { segment } = options.redactor.redact(transcriptSegmentOf(event));
    const id = state.call.sessionId;
    if (event.type === 'final') {
      write(state, 'segment', () =>
        options.store.appendSegment(id, segment, {
          events: [conversationEvent('transcript_available', id, segment)],
        }),
      );
      state.metrics.addFinal(segment);
      if (state.lastAudio) state.metrics.audioUpTo(state.lastAudio.endSample);
      const live = state.metrics.liveIfDue();
      if (live)
        write(state, 'metrics', () =>
          options.store.saveCallMetrics(id, live, { events: [conversationEvent('call_metrics', id, live)] }),
        );
    } else {
      write(state, 'partial', () =>
        options.store.enqueueEvents([conversationEvent('partial_transcript', id, segment)]),
      );
    }
  };

  const transcribing = options.engines.length > 0;

  const subscriber: SessionSubscriber = (hub: SessionEventHub) => {
    hub.on('opened', function startCallPipeline({ call, control, log }) {
      if (call.isProbe) return;
      const connector = call.profile === 'transcription';
      const sender = connector
        ? new RateLimitedEventSender({
            send: (entities) => {
              if (!control.sendEvent(entities)) throw new Error('session no longer accepts events');
            },
            ...(options.rateLimit ?? {}),
            onSendError: (err) => log.warn({ err }, 'transcript event not sent'),
          })
        : null;
      const state: CallState = {
        call,
        control,
        log,
        sender,
        entities: connector
          ? new TranscriptEntityBuilder({ partials: options.connectorPartials ?? false })
          : null,
        writes: Promise.resolve(),
        closeReason: null,
        lastAudio: null,
        metrics: new CallMetricsTracker({
          sampleRate: call.media?.rate ?? 8000,
          liveIntervalMs: options.metricsIntervalMs ?? 5_000,
        }),
        sendEntities: (entities) => {
          if (!sender) return false;
          sender.enqueue(entities);
          return true;
        },
        transcriber: null,
        notLive: null,
      };
      let notAdmitted: string | null = null;
      const channels = call.media?.channels.length ?? 0;
      if (transcribing && channels > 0) {
        const admission = options.capacity?.admit({
          sessionId: call.sessionId,
          profile: call.profile,
          channels,
          onPreempted: (reason) => {
            const transcriber = state.transcriber;
            state.transcriber = null;
            markNotLive(state, reason);
            void transcriber?.close(); // finals already decoded still flow out
          },
        }) ?? { admitted: true };
        if (admission.admitted) {
          const choice = options.engineChoice?.forCall(call.customConfig);
          if (choice?.refused)
            log.warn({ sttEngine: choice.refused }, 'customConfig.sttEngine not allowlisted');
          // bad hints never fail the call (the protocol has no error for customConfig): dropped and logged
          const hints = callPhraseHints(call.customConfig);
          if (hints.problems.length > 0)
            log.warn(
              { sttPhrases: { problems: hints.problems, kept: hints.phrases.length } },
              'customConfig.sttPhrases ignored in part',
            );
          state.transcriber = new CallTranscriber({
            ...options.transcriber,
            ...(hints.phrases.length > 0 ? { phrases: hints.phrases } : {}),
            engines: choice?.engines ?? options.engines,
            callId: call.sessionId,
            onTranscript: (event) => onTranscript(state, event),
            onStatus: (status) => {
              log.info({ transcription: status }, 'transcription status');
              const hole = holeIn(status);
              if (hole) markNotLive(state, hole);
            },
          });
        } else {
          notAdmitted = admission.reason;
        }
      }
      calls.set(call.sessionId, state);
      const summary = {
        ...conversationSummaryOf(call),
        ...(transcribing && channels > 0
          ? { transcription: transcriptionState(notAdmitted ? 'pending' : 'live', notAdmitted) }
          : {}),
      };
      write(state, 'conversation', () =>
        options.store.upsertConversation(summary, {
          events: [conversationEvent('session_started', call.sessionId, summary)],
        }),
      );
      if (notAdmitted) {
        state.notLive = notAdmitted;
        log.warn(
          { transcription: 'pending', reason: notAdmitted },
          'call not decoded live: transcript pending',
        );
        options.onNotLive?.(call, notAdmitted);
      }
      void state.transcriber?.handle({
        type: 'opened',
        media: call.media,
        language: call.language,
        open: { parameters: { language: call.language ?? undefined } },
      });
    });

    if (transcribing) {
      // only when transcribing: the transcriber reads `channels` (decoding the frame) or `mulaw`, as its engines need
      hub.on('audio', function transcribeAudio(frame) {
        const state = calls.get(frame.call.sessionId);
        if (!state) return;
        state.lastAudio = { endSample: frame.startSample + frame.samples, at: Date.now() };
        void state.transcriber?.handle(new TranscriberAudio(frame));
      });
    }
    hub.on('paused', function flushAtPause({ call, atSample }) {
      const state = calls.get(call.sessionId);
      state?.metrics.paused(atSample);
      void state?.transcriber?.handle({ type: 'paused', atSample });
    });
    hub.on('resumed', function resumeTimeline({ call, startSample, discardedSamples }) {
      const state = calls.get(call.sessionId);
      state?.metrics.resumed(startSample, discardedSamples);
      void state?.transcriber?.handle({ type: 'resumed', startSample, discardedSamples });
    });
    hub.on('discarded', function discardTimeline({ call, startSample, discardedSamples }) {
      const state = calls.get(call.sessionId);
      state?.metrics.discarded(startSample, discardedSamples);
      void state?.transcriber?.handle({ type: 'discarded', startSample, discardedSamples });
    });
    hub.on('update', function switchLanguage({ call, language, atSample }) {
      void calls.get(call.sessionId)?.transcriber?.handle({ type: 'update', language, atSample });
    });
    hub.on('client-error', function backOffOnTooManyRequests({ call, code, retryAfterMs }) {
      calls.get(call.sessionId)?.sender?.clientError(code, retryAfterMs);
    });

    // `closed` waits for this: every final transcribed, handed to the sender and sent (MUST 14).
    hub.on('closing', async function flushFinals({ call, reason, atSample }) {
      const state = calls.get(call.sessionId);
      if (!state) return;
      state.closeReason = reason;
      await state.transcriber?.handle({ type: 'closing', atSample });
      await state.sender?.flush();
    });

    hub.on('ended', function endConversation({ call, outcome, atSample, endedAt }) {
      const done = finishConversation(call, outcome, atSample, endedAt);
      // waiters only need to know it is over; a failure is the hub's to report
      const over = done.then(
        () => undefined,
        () => undefined,
      );
      settling.set(call.sessionId, over);
      void over.then(() => settling.delete(call.sessionId));
      return done;
    });
    async function finishConversation(
      call: CallInfo,
      outcome: CallOutcome,
      atSample: number,
      endedAt: Date,
    ): Promise<void> {
      const state = calls.get(call.sessionId);
      if (!state) return;
      await state.transcriber?.handle({ type: 'ended', atSample });
      state.sender?.close();
      calls.delete(call.sessionId);
      options.capacity?.release(call.sessionId);
      const end = {
        state: outcome === 'closed' ? ('ended' as const) : ('failed' as const),
        // the client's reason (end, error, disconnect…) or how the session ended without one (dropped…)
        closeReason: state.closeReason ?? outcome,
        endedAt: endedAt.toISOString(),
      };
      write(state, 'end', () =>
        options.store.endConversation(call.sessionId, end, {
          events: [
            conversationEvent('session_ended', call.sessionId, {
              ...conversationSummaryOf(call),
              ...end,
            }),
          ],
        }),
      );
      // after the end, so the analytics row records the ended state
      const metrics = state.metrics.final(atSample);
      write(state, 'metrics', () =>
        options.store.saveCallMetrics(call.sessionId, metrics, {
          events: [conversationEvent('call_metrics', call.sessionId, metrics)],
        }),
      );
      await state.writes;
      if (transcribing && (call.media?.channels.length ?? 0) > 0) {
        options.onCallEnded?.(call, { complete: state.notLive === null, reason: state.notLive });
      }
    }
  };

  return {
    subscriber,
    live: { get: (id) => calls.get(id) },
    settled: (sessionId) => settling.get(sessionId) ?? Promise.resolve(),
  };
}
