/**
 * The server side of one AudioHook session as a pure state machine (digest §5). The transport feeds it text and
 * binary frames and sends what each step returns; the call pipeline subscribes to the step's events. No I/O,
 * no timers: `open` is answered synchronously from memory, `closed` is sent when the pipeline calls finishClose().
 *
 * Inbound legality (digest §5.2):
 *   state        open   ping  paused  resumed  discarded  update  error  close   binary
 *   preparing    ✔      pong  ✘       ✘        ✘          ign     evt    ✔       ✘
 *   active       ign    pong  ✔       ✔(t)     ✔          ✔       evt    ✔       ✔
 *   paused       ign    pong  ign     ✔        ✔          ✔       evt    ✔       ✘
 *   closing      ign    pong  ign     ign      ign        ign     evt    ign     ign
 *   error/unauth ign    pong  ign     ign      ign        ign     evt    ✔       ign
 *   closed       nothing is ever sent again
 * ✘ = protocol violation → one `disconnect` error; ign = `ignored` event; (t) resumed while active only moves the
 * timeline. Unknown message types are ignored but their seq is counted (MUST 29).
 */
import type {
  ClientMessage,
  DisconnectReason,
  EventEntity,
  LanguageCode,
  MediaParameter,
  OpenMessage,
  ProtocolViolation,
  ServerSessionOptions,
  ServerSessionState,
  SessionStep,
  UnknownClientMessage,
} from './contract.js';
import { AudioFrameEvent, frameSampleCount, frameStride } from './audio-frame.js';
import { durationToSamples, parseDuration } from './duration.js';
import { batchEventEntities } from './event-batching.js';
import { checkMediaOffer, selectMedia } from './media-selection.js';
import { LANGUAGE_PATTERN, eventEntitySchema } from './message-schemas.js';
import { MAX_TEXT_LENGTH, parseClientMessage, serverMessageProblem } from './message-parse.js';
import { ServerMessageRateLimiter } from './rate-limiter.js';
import { StreamTimeline } from './stream-timeline.js';
import { NIL_UUID } from './uuid.js';

/** How much of an oversized inbound text goes into the `message` event (the sidecar must stay small). */
const OVERSIZED_TEXT_RECORD_CHARS = 1024;

type EndOutcome = 'closed' | 'error' | 'unauthorized';

export class ServerSession {
  private currentState: ServerSessionState = 'preparing';
  private readonly timeline = new StreamTimeline();
  private readonly maxTextLength: number;
  private lastClientSeqValue = 0;
  private lastServerSeqValue = 0;
  private selectedMedia: MediaParameter | null = null;
  private openMessage: OpenMessage | null = null;
  private currentLanguage: LanguageCode | null = null;
  /** the pipeline asked for a pause (pause() before or after opened) and has not resumed */
  private pipelinePauseHeld = false;
  /** paused because the language is missing/unsupported (MUST 27) */
  private languagePauseHeld = false;
  private disconnectSent = false;
  private closeReceived = false;
  private ended = false;
  private outcome: EndOutcome = 'closed';
  private lastRttMs: number | null = null;
  private lastDrift = 0;
  /** what the client was last asked for: true after opened.startPaused or `pause`, false after `resume` */
  private signalledPause = false;
  /** an explicit pause()/resume() asks even when the client was already told (an "interrogating" repeat) */
  private pauseSignalRequested = false;
  /** Genesys allows pause and resume 2/s, burst 4 each (§7.6); one budget for both stays inside either reading */
  private readonly pauseResumeBudget: ServerMessageRateLimiter;
  private readonly nowMs: () => number;

  constructor(private readonly options: ServerSessionOptions) {
    this.maxTextLength = options.maxTextLength ?? MAX_TEXT_LENGTH;
    this.nowMs = options.nowMs;
    this.pauseResumeBudget = new ServerMessageRateLimiter(
      options.pauseResumeLimit ?? { ratePerSecond: 2, burst: 4 },
    );
  }

  /** a server-side pause (pipeline or language) is in force until we send `resume` */
  private get serverPauseHeld(): boolean {
    return this.pipelinePauseHeld || this.languagePauseHeld;
  }

  get state(): ServerSessionState {
    return this.currentState;
  }
  /** stream timeline position in samples (received audio + discarded/paused spans) */
  get positionSamples(): number {
    return this.timeline.positionSamples;
  }
  get media(): MediaParameter | null {
    return this.selectedMedia;
  }
  get open(): OpenMessage | null {
    return this.openMessage;
  }
  get isProbe(): boolean {
    return this.openMessage?.parameters.conversationId === NIL_UUID;
  }
  /** current language (from open or update), matched against the supported list; null if none/unsupported */
  get language(): LanguageCode | null {
    return this.currentLanguage;
  }
  get lastClientSeq(): number {
    return this.lastClientSeqValue;
  }
  get lastServerSeq(): number {
    return this.lastServerSeqValue;
  }
  /** rtt the client reported in its last ping, in ms */
  get clientRttMs(): number | null {
    return this.lastRttMs;
  }
  /** client `position` minus our timeline at the last client message, in samples (0 = consistent) */
  get positionDriftSamples(): number {
    return this.lastDrift;
  }
  /** true when `event` may be sent now (transcription profile, MUST 16/17) */
  get canSendEvent(): boolean {
    return (
      this.options.profile === 'transcription' &&
      (this.currentState === 'active' || this.currentState === 'paused' || this.currentState === 'closing')
    );
  }

  // ------------------------------------------------------------------ inbound

  receiveText(text: string): SessionStep {
    const step = newStep();
    if (this.currentState === 'closed') return step;
    const recorded = text.length > this.maxTextLength ? text.slice(0, OVERSIZED_TEXT_RECORD_CHARS) : text;
    step.events.push({ type: 'message', direction: 'in', text: recorded });

    const parsed = parseClientMessage(text, this.maxTextLength);
    // Once a disconnect went out we only wait for close: further errors are suppressed and whatever seq the
    // client uses from here on is accepted, so that its close is always answered.
    const signalled = this.disconnectSent;
    if (!parsed.ok) {
      if (signalled)
        step.events.push({ type: 'ignored', messageType: '(invalid)', reason: parsed.violation.info });
      else this.violate(step, parsed.violation);
      return step;
    }
    const message = parsed.message;
    const violation = this.checkEnvelope(message);
    if (violation && (!signalled || violation.code === 'bad-id')) {
      if (signalled) step.events.push({ type: 'ignored', messageType: message.type, reason: violation.info });
      else this.violate(step, violation);
      return step;
    }
    this.lastClientSeqValue = message.seq;
    if ('unknownType' in message) {
      step.events.push({ type: 'ignored', messageType: message.type, reason: 'unknown message type' });
    } else {
      this.dispatch(step, message as ClientMessage);
    }
    this.lastDrift = this.timeline.positionDrift(message.position);
    return step;
  }

  receiveBinary(frame: Uint8Array): SessionStep {
    const step = newStep();
    const state = this.currentState;
    if (state === 'closed') return step;
    if (state === 'closing' || state === 'error' || state === 'unauthorized') {
      // MUST 15: never disconnect after close; after a signalled error, further errors are suppressed.
      const reason = state === 'closing' ? 'audio after close' : `audio in state ${state}`;
      step.events.push({ type: 'ignored', messageType: 'binary', reason });
      return step;
    }
    if (state !== 'active') {
      const when = state === 'paused' ? 'while paused' : 'before opened';
      this.violate(step, { code: 'unexpected-binary', info: `Unexpected binary audio ${when}` });
      return step;
    }
    const media = this.selectedMedia;
    if (!media) {
      this.violate(step, {
        code: 'unexpected-binary',
        info: 'Unexpected binary audio: no media was selected',
      });
      return step;
    }
    const samples = frameSampleCount(frame.length, media);
    if (samples === null) {
      this.violate(step, {
        code: 'bad-frame-length',
        info: `Audio frame of ${frame.length} bytes is not a multiple of ${frameStride(media)} (channels × bytes per sample)`,
      });
      return step;
    }
    if (samples === 0) return step;
    const startSample = this.timeline.addAudio(samples);
    step.events.push(new AudioFrameEvent(frame, startSample, media));
    return step;
  }

  // ------------------------------------------------------------------ outbound (server-initiated)

  /**
   * Server-initiated pause. Before opened it becomes opened.startPaused; in active/paused it sends `pause` (within
   * the pause/resume rate limit: when the budget is spent the step says when to `wake()`).
   */
  pause(): SessionStep {
    const step = newStep();
    if (this.currentState === 'preparing' || this.currentState === 'opening') {
      this.pipelinePauseHeld = true;
    } else if (this.isStreaming()) {
      this.pipelinePauseHeld = true;
      this.pauseSignalRequested = true;
      this.signalPauseState(step);
    }
    return step;
  }

  /** Ends a server-initiated pause. Before opened it clears startPaused; in active/paused it sends `resume`. */
  resume(): SessionStep {
    const step = newStep();
    if (this.currentState === 'preparing' || this.currentState === 'opening') {
      this.pipelinePauseHeld = false;
    } else if (this.isStreaming()) {
      // an explicit resume overrides every server-side pause reason
      this.pipelinePauseHeld = false;
      this.languagePauseHeld = false;
      this.pauseSignalRequested = true;
      this.signalPauseState(step);
    }
    return step;
  }

  /**
   * Time-driven work the transport was asked for (`SessionStep.wakeAfterMs`): sends the coalesced `pause` or
   * `resume` once the budget allows, and only if the wanted state still differs from what the client was told.
   */
  wake(): SessionStep {
    const step = newStep();
    if (this.isStreaming()) this.signalPauseState(step);
    return step;
  }

  /**
   * Sends entities as one or more `event` messages, each under 64 KiB (MUST 18). Throws when events are not allowed
   * (monitor profile, before opened, after closed: MUST 16/17), when a single entity alone is too large, or
   * (InvalidServerMessageError) when an entity does not match its closed schema (§8.3, §8.4).
   */
  sendEvent(entities: EventEntity[]): SessionStep {
    if (this.options.profile !== 'transcription') {
      throw new Error('event messages are not allowed in a monitor session');
    }
    if (!this.canSendEvent) throw new Error(`event messages are not allowed in state ${this.currentState}`);
    const step = newStep();
    if (entities.length === 0) return step;
    // all checked before any is numbered: a bad entity in a later batch must not leave a gap in seq
    entities.forEach((entity, index) => {
      const result = eventEntitySchema.safeParse(entity);
      if (!result.success) {
        const issue = result.error.issues[0];
        const path = ['entities', index, ...(issue?.path ?? [])].join('.');
        throw new InvalidServerMessageError(`event.${path}: ${issue?.message ?? 'invalid entity'}`);
      }
    });
    for (const batch of batchEventEntities(entities, this.maxTextLength))
      this.send(step, 'event', { entities: batch });
    return step;
  }

  /** Asks the client to end the session. At most one disconnect; none after `close` was received (MUST 15). */
  disconnect(reason: DisconnectReason, info?: string): SessionStep {
    const step = newStep();
    if (!this.canDisconnect()) return step;
    this.sendDisconnect(step, reason, info);
    if (reason === 'error') this.enterSignalled('error');
    else if (reason === 'unauthorized') this.enterSignalled('unauthorized');
    return step;
  }

  /** Post-upgrade authentication failure (MUST 5): `disconnect` unauthorized; `opened` is never sent afterwards. */
  unauthorized(info?: string): SessionStep {
    return this.disconnect('unauthorized', info);
  }

  /** Sends the one `closed` once the pipeline has flushed its final events (MUST 14). No-op unless closing. */
  finishClose(): SessionStep {
    const step = newStep();
    if (this.currentState !== 'closing') return step;
    this.send(step, 'closed', {});
    this.currentState = 'closed';
    this.end(step, this.outcome);
    return step;
  }

  /** The transport lost the socket. Emits `ended` once (outcome 'dropped' unless the session had closed). */
  socketClosed(): SessionStep {
    const step = newStep();
    const state = this.currentState;
    this.currentState = 'closed';
    if (!this.ended) {
      this.end(step, state === 'error' || state === 'unauthorized' ? state : 'dropped');
    }
    return step;
  }

  // ------------------------------------------------------------------ internals

  private checkEnvelope(message: ClientMessage | UnknownClientMessage): ProtocolViolation | null {
    if (message.id.toLowerCase() !== this.options.sessionId.toLowerCase()) {
      return { code: 'bad-id', info: 'Message id does not match the session id' };
    }
    if (message.seq !== this.lastClientSeqValue + 1) {
      return {
        code: 'bad-seq',
        info: `Invalid seq value ${message.seq} (expected ${this.lastClientSeqValue + 1}, not monotonically increasing)`,
      };
    }
    if (message.serverseq > this.lastServerSeqValue) {
      return {
        code: 'bad-serverseq',
        info: `Invalid serverseq value ${message.serverseq} (last server seq is ${this.lastServerSeqValue})`,
      };
    }
    return null;
  }

  private dispatch(step: SessionStep, message: ClientMessage): void {
    const state = this.currentState;
    const ignore = (reason: string) =>
      step.events.push({ type: 'ignored', messageType: message.type, reason });
    const streaming = state === 'active' || state === 'paused';

    switch (message.type) {
      case 'ping':
        if (message.parameters.rtt !== undefined)
          this.lastRttMs = parseDuration(message.parameters.rtt) * 1000;
        this.send(step, 'pong', {});
        return;
      case 'error': {
        const retry = message.parameters.retryAfter;
        step.events.push({
          type: 'client-error',
          code: message.parameters.code,
          message: message.parameters.message,
          retryAfterMs: retry === undefined ? null : parseDuration(retry) * 1000,
        });
        return;
      }
      case 'close':
        if (this.closeReceived) return void ignore('close already received');
        this.closeReceived = true;
        this.currentState = 'closing';
        step.events.push({
          type: 'closing',
          reason: message.parameters.reason,
          atSample: this.positionSamples,
        });
        return;
      case 'open':
        if (state !== 'preparing') return void ignore(`open in state ${state}`);
        this.handleOpen(step, message);
        return;
      case 'update':
        if (!streaming) return void ignore(`update in state ${state}`);
        if (message.parameters.language === undefined) return void ignore('update without language');
        this.handleUpdate(step, message.parameters.language);
        return;
      case 'paused':
        if (state === 'active') {
          this.currentState = 'paused';
          step.events.push({
            type: 'paused',
            atSample: this.positionSamples,
            serverInitiated: this.serverPauseHeld,
          });
          return;
        }
        // MUST 24: a repeat `paused` (e.g. answering our resume while a client-side pause holds) keeps us paused.
        if (state === 'paused' || !this.isOpenPhase(state)) return void ignore(`paused in state ${state}`);
        return this.unexpected(step, message.type, state);
      case 'resumed':
      case 'discarded': {
        if (this.isOpenPhase(state)) return this.unexpected(step, message.type, state);
        if (!streaming) return void ignore(`${message.type} in state ${state}`);
        const startSample = durationToSamples(message.parameters.start);
        const discardedSamples = durationToSamples(message.parameters.discarded);
        this.timeline.addDiscarded(startSample, discardedSamples);
        if (message.type === 'discarded') {
          step.events.push({ type: 'discarded', startSample, discardedSamples });
        } else {
          this.currentState = 'active';
          step.events.push({
            type: 'resumed',
            startSample,
            discardedSamples,
            atSample: this.positionSamples,
          });
        }
        return;
      }
    }
  }

  private isStreaming(): boolean {
    return this.currentState === 'active' || this.currentState === 'paused';
  }

  /**
   * Brings the client in line with the server's pause state, coalesced (digest §7.6): a burst of language updates
   * flipping supported/unsupported sends at most what the pause/resume budget allows, and only the last state
   * counts — a flip back before the budget refills sends nothing.
   */
  private signalPauseState(step: SessionStep): void {
    const wanted = this.serverPauseHeld;
    if (wanted === this.signalledPause && !this.pauseSignalRequested) return;
    const now = this.nowMs();
    if (!this.pauseResumeBudget.tryTake(now)) {
      step.wakeAfterMs = Math.max(1, Math.ceil(this.pauseResumeBudget.waitMs(now)));
      return;
    }
    this.pauseSignalRequested = false;
    this.signalledPause = wanted;
    this.send(step, wanted ? 'pause' : 'resume', {});
  }

  private isOpenPhase(state: ServerSessionState): boolean {
    return state === 'preparing' || state === 'opening';
  }

  private unexpected(step: SessionStep, type: string, state: ServerSessionState): void {
    this.violate(step, { code: 'unexpected-message', info: `Unexpected ${type} message in state ${state}` });
  }

  private handleOpen(step: SessionStep, message: OpenMessage): void {
    this.currentState = 'opening';
    this.openMessage = message;
    const p = message.parameters;
    if (p.organizationId.toLowerCase() !== this.options.organizationId.toLowerCase()) {
      const violation: ProtocolViolation = {
        code: 'org-mismatch',
        info: 'organizationId does not match the Audiohook-Organization-Id header',
      };
      step.events.push({ type: 'violation', violation });
      this.sendDisconnect(step, 'unauthorized', violation.info);
      this.enterSignalled('unauthorized');
      return;
    }
    const isProbe = p.conversationId === NIL_UUID;
    p.media.forEach((entry, index) => {
      const check = checkMediaOffer(entry);
      if (!check.usable) {
        step.events.push({
          type: 'ignored',
          messageType: 'open',
          reason: `media[${index}] skipped: ${check.reason}`,
        });
      }
    });
    const media = isProbe ? null : selectMedia(p.media);
    if (!isProbe && !media) {
      this.violate(step, {
        code: 'no-media',
        info: 'No acceptable media offered (need PCMU or L16, mono or stereo, at 8000 Hz)',
      });
      return;
    }
    this.selectedMedia = media;
    this.currentLanguage = this.matchLanguage(p.language ?? null);
    const languageMissing =
      this.options.profile === 'transcription' &&
      this.options.pauseOnUnsupportedLanguage &&
      !this.currentLanguage;
    this.languagePauseHeld = !isProbe && languageMissing;
    if (isProbe) this.pipelinePauseHeld = false;
    const startPaused = this.serverPauseHeld;
    this.signalledPause = startPaused;

    const parameters: Record<string, unknown> = { media: media ? [media] : [] };
    if (startPaused) parameters.startPaused = true;
    if (p.supportedLanguages === true) {
      parameters.supportedLanguages = this.options.supportedLanguages.filter((l) => LANGUAGE_PATTERN.test(l));
    }
    this.send(step, 'opened', parameters);
    this.currentState = 'active';
    step.events.push({
      type: 'opened',
      open: message,
      media,
      isProbe,
      language: this.currentLanguage,
      startPaused,
    });
  }

  private handleUpdate(step: SessionStep, requested: LanguageCode): void {
    const language = this.matchLanguage(requested);
    this.currentLanguage = language;
    step.events.push({ type: 'update', language, atSample: this.positionSamples });
    // MUST 27: an unsupported language pauses the stream; a supported one ends that pause.
    if (this.options.profile !== 'transcription' || !this.options.pauseOnUnsupportedLanguage || this.isProbe)
      return;
    this.languagePauseHeld = !language;
    this.signalPauseState(step);
  }

  private matchLanguage(language: LanguageCode | null): LanguageCode | null {
    if (!language) return null;
    const wanted = language.toLowerCase();
    return this.options.supportedLanguages.find((l) => l.toLowerCase() === wanted) ?? null;
  }

  private canDisconnect(): boolean {
    const s = this.currentState;
    return !this.disconnectSent && !this.closeReceived && s !== 'closing' && s !== 'closed';
  }

  /** One `disconnect` error, then wait for close (state error, further errors suppressed). */
  private violate(step: SessionStep, violation: ProtocolViolation): void {
    step.events.push({ type: 'violation', violation });
    if (!this.canDisconnect()) return;
    this.sendDisconnect(step, 'error', violation.info);
    this.enterSignalled('error');
  }

  private sendDisconnect(step: SessionStep, reason: DisconnectReason, info?: string): void {
    this.disconnectSent = true;
    this.send(step, 'disconnect', info === undefined ? { reason } : { reason, info: info.slice(0, 1000) });
  }

  private enterSignalled(state: 'error' | 'unauthorized'): void {
    this.currentState = state;
    this.outcome = state;
  }

  /**
   * The one exit for server messages. Each is checked against the closed schema of its type first (digest §7.7:
   * Genesys terminates a session on a member it does not know), so a malformed message never leaves and never
   * takes a seq number: InvalidServerMessageError instead.
   */
  private send(step: SessionStep, type: string, parameters: Record<string, unknown>): void {
    const message = {
      version: '2',
      id: this.options.sessionId,
      type,
      seq: this.lastServerSeqValue + 1,
      clientseq: this.lastClientSeqValue,
      parameters,
    };
    const problem = serverMessageProblem(message);
    if (problem) throw new InvalidServerMessageError(problem);
    this.lastServerSeqValue += 1;
    const text = JSON.stringify(message);
    step.send.push(text);
    step.events.push({ type: 'message', direction: 'out', text });
  }

  private end(step: SessionStep, outcome: EndOutcome | 'dropped'): void {
    this.ended = true;
    step.events.push({ type: 'ended', outcome, atSample: this.positionSamples });
  }
}

/** A server message that does not match its closed schema: a bug in the caller (entities) or the library. */
export class InvalidServerMessageError extends Error {
  override readonly name = 'InvalidServerMessageError';
}

function newStep(): SessionStep {
  return { send: [], events: [], closeSocket: false };
}
