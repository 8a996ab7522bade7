import { MULAW_DECODE_TABLE, mulawEncode } from '@hookscribe/audiohook';
import type { RecognitionResult, RecognizedWord, SpeechStream, SpeechStreamOptions } from '../../engine.js';
import { checkMulawWrite, checkWrite, EngineFailure, StreamClosedError } from '../../errors.js';
import { ResultQueue } from '../../result-queue.js';
import { RealtimeConnection, type ConnectionEnd } from './realtime-connection.js';
import type { RealtimeEngine } from './realtime-engine.js';
import {
  BENIGN_ERROR_CODES,
  SESSION_OVER_CODES,
  transcriptionSessionUpdate,
  type RealtimeServerEvent,
} from './realtime-events.js';

/** Audio as appended: µ-law bytes (one per sample) at a stream position. */
interface Chunk {
  mulaw: Uint8Array;
  startSample: number;
  voiced: boolean;
}

/** One turn (the service's "item"): stream span, text so far, our utterance id. */
interface Turn {
  itemId: string;
  utteranceId: string;
  startSample: number;
  /** null while the service's VAD still hears speech */
  endSample: number | null;
  text: string;
  /** words published in the last partial */
  partialWords: number;
  committed: boolean;
  timer: ReturnType<typeof setTimeout> | null;
  /** all the audio the turn committed, quiet edges included (what a re-send needs); null: startSample..endSample */
  audio: Span | null;
}

/** A commit we sent, waiting for its `committed` (or `commit_empty`) answer. */
interface SentCommit {
  /** the voiced part: where the turn's words are */
  startSample: number;
  endSample: number;
  audio: Span;
  /** set when re-sending a turn after a drop, so its partials and final keep their id */
  utteranceId: string | null;
}

/** One Realtime session and what it still owes us. */
interface Session {
  conn: RealtimeConnection;
  /** replaced (lifetime) or a recovery session: delivers the turns it has, starts no new ones */
  retiring: boolean;
  turns: Map<string, Turn>;
  /** item ids the service's VAD ended (speech_stopped): their `committed` is not the answer to one of ours */
  vadEnded: Set<string>;
  commits: SentCommit[];
  speaking: Turn | null;
}

interface Span {
  start: number;
  end: number;
}

/** audio to re-send to a new session, and the commit to send after it (null: leave it to the VAD / next flush) */
interface Replay {
  audio: Span;
  commit: Omit<SentCommit, 'audio'> | null;
}

/** a 20 ms frame this loud counts as voice: quieter audio is never committed on its own (no silence hallucinations) */
const VOICE_DBFS = -45;

/**
 * One channel on the Realtime API. write() never waits: audio goes to the current session (queued while it
 * connects) and is kept until its turn is transcribed, so a dropped socket loses nothing (the kept audio is re-sent to
 * a new session) and a replaced session duplicates nothing (it only finishes turns committed before the switch).
 */
export class RealtimeStream implements SpeechStream {
  failed: Error | null = null;
  progress = 0;
  private readonly queue = new ResultQueue<RecognitionResult>();
  private readonly serverVad: boolean;
  private current: Session;
  private readonly sessions = new Set<Session>();
  /** audio not yet known to be transcribed, in stream order */
  private kept: Chunk[] = [];
  private keptSamples = 0;
  /** spans already transcribed since the oldest kept audio: not re-sent after a drop */
  private done: Span[] = [];
  /** the current session has committed (or its VAD ended) everything before this stream position */
  private committedUntil = 0;
  private fedUntil = 0;
  private closed = false;
  private counter = 0;
  private reconnects = 0;
  private flushWaiters: (() => void)[] = [];

  constructor(
    private readonly engine: RealtimeEngine,
    private readonly options: SpeechStreamOptions,
  ) {
    this.serverVad = engine.capabilities.endpointing;
    this.current = this.connect(false);
  }

  /** PCM (L16 calls, or callers without the frame's bytes): encoded to µ-law here */
  write(pcm: Int16Array, startSample: number): void {
    if (this.closed) throw new StreamClosedError(this.engine.name);
    checkWrite(this.engine.name, pcm, startSample, this.fedUntil);
    this.append(mulawEncode(pcm), startSample, hasVoice(pcm, null));
  }

  /** µ-law as the client sent it (PCMU calls): appended byte for byte, never decoded and re-encoded */
  writeMulaw(mulaw: Uint8Array, startSample: number, pcm?: Int16Array): void {
    if (this.closed) throw new StreamClosedError(this.engine.name);
    checkMulawWrite(this.engine.name, mulaw, startSample, this.fedUntil, pcm);
    this.append(mulaw, startSample, hasVoice(mulaw, MULAW_DECODE_TABLE));
  }

  /**
   * Ends the turn in progress (commit) and resolves once every committed turn has its final. Commits only when
   * there is voice since the last commit, or the service's VAD is mid-turn: silence is never sent for transcription.
   */
  flush(): Promise<void> {
    if (this.closed || this.failed) return Promise.resolve();
    const session = this.current;
    if (session.speaking || this.voicedSinceCommit()) {
      this.commit(session, null);
      this.rotateIfDue();
    } else if (!this.serverVad && this.fedUntil > this.committedUntil) {
      // quiet audio only: the service forgets it (no VAD of its own to race with)
      session.conn.send({ type: 'input_audio_buffer.clear' });
      this.committedUntil = this.fedUntil;
      this.forget();
    }
    if (this.settled()) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.shutdown();
    this.queue.end();
  }

  results(): AsyncIterable<RecognitionResult> {
    return this.queue;
  }

  private append(mulaw: Uint8Array, startSample: number, voiced: boolean): void {
    if (this.failed || mulaw.length === 0) {
      this.fedUntil = startSample + mulaw.length;
      return;
    }
    if (this.fedUntil === 0 && this.kept.length === 0) this.committedUntil = startSample;
    this.rotateIfDue(); // before this chunk counts as fed: it goes to the session in use after the check
    this.fedUntil = startSample + mulaw.length;
    const chunk: Chunk = { mulaw, startSample, voiced };
    this.keep(chunk);
    this.current.conn.append(chunk.mulaw, startSample);
  }

  // ---------------------------------------------------------------- sessions

  private connect(retiring: boolean): Session {
    const engine = this.engine;
    const iso639 = this.options.language.split('-')[0]?.toLowerCase() ?? 'en';
    const session: Session = {
      conn: null as unknown as RealtimeConnection,
      retiring,
      turns: new Map(),
      vadEnded: new Set(),
      commits: [],
      speaking: null,
    };
    session.conn = new RealtimeConnection(
      engine.options.url,
      engine.headers(),
      transcriptionSessionUpdate({
        model: engine.options.model ?? 'gpt-4o-transcribe',
        language: iso639,
        prompt: streamPrompt(engine.options.prompt ?? '', this.options.phrases ?? []),
        turnDetection: engine.options.turnDetection ?? 'server_vad',
        noiseReduction: engine.options.noiseReduction ?? 'near_field',
        silenceMs: engine.options.silenceMs ?? 500,
      }),
      {
        onEvent: (event) => this.onEvent(session, event),
        onEnd: (end) => this.onEnd(session, end),
      },
      engine.now,
      engine.options.handshakeTimeoutMs ?? 10_000,
    );
    this.sessions.add(session);
    return session;
  }

  /** Replace the session before the service's maximum lifetime: at a turn boundary, or by force near the end. */
  private rotateIfDue(): void {
    const session = this.current;
    const max = this.engine.options.sessionMaxMs ?? 30 * 60_000;
    const age = this.engine.now() - session.conn.openedAt;
    if (age < max * 0.9) return;
    const midTurn = session.speaking !== null || (!this.serverVad && this.fedUntil > this.committedUntil);
    if (midTurn) {
      if (age < max * 0.97) return;
      if (!this.voicedSinceCommit() && !session.speaking) {
        this.committedUntil = this.fedUntil; // only quiet audio pending: nothing to transcribe in it
      } else {
        this.commit(session, null); // the turn is cut in two rather than lost with the session
      }
    }
    const tail = { start: this.committedUntil, end: this.fedUntil };
    // the old session forgets audio it has not committed; the new one gets it
    if (this.serverVad) session.conn.send({ type: 'input_audio_buffer.clear' });
    this.retire(session);
    this.current = this.connect(false);
    this.resend(this.current, [{ audio: tail, commit: null }]);
  }

  private retire(session: Session): void {
    session.retiring = true;
    // an open turn without a commit on its way is the new session's now (its audio is re-sent there)
    if (session.speaking && !session.speaking.committed && session.commits.length === 0) {
      session.turns.delete(session.speaking.itemId);
    }
    session.speaking = null;
    this.closeIfFinished(session);
  }

  private closeIfFinished(session: Session): void {
    if (!session.retiring || session.turns.size > 0 || session.commits.length > 0) return;
    session.conn.close();
    this.sessions.delete(session);
  }

  /** Commit the current session's buffer; the turn spans its voiced audio (the words are spread over that). */
  private commit(session: Session, utteranceId: string | null): void {
    const pending = this.kept.filter((c) => c.startSample + c.mulaw.length > this.committedUntil);
    const voiced = pending.filter((c) => c.voiced);
    const first = voiced[0] ?? pending[0];
    const last = voiced[voiced.length - 1];
    const audio = { start: this.committedUntil, end: this.fedUntil };
    session.commits.push({
      startSample: first ? Math.max(first.startSample, audio.start) : audio.start,
      endSample: last ? last.startSample + last.mulaw.length : audio.end,
      audio,
      utteranceId,
    });
    session.conn.send({ type: 'input_audio_buffer.commit' });
    this.committedUntil = this.fedUntil;
  }

  // ---------------------------------------------------------------- service events

  private onEvent(session: Session, event: RealtimeServerEvent): void {
    if (this.failed || !this.sessions.has(session)) return;
    this.progress++;
    switch (event.type) {
      case 'input_audio_buffer.speech_started': {
        if (session.retiring) return;
        const turn = this.newTurn(event.item_id, session.conn.toStream(event.audio_start_ms), null);
        session.turns.set(turn.itemId, turn);
        session.speaking = turn;
        return;
      }
      case 'input_audio_buffer.speech_stopped': {
        session.vadEnded.add(event.item_id);
        const turn = session.turns.get(event.item_id);
        if (!turn) return;
        turn.endSample = Math.max(turn.startSample, session.conn.toStream(event.audio_end_ms));
        if (session.speaking === turn) session.speaking = null;
        if (session === this.current) this.committedUntil = Math.max(this.committedUntil, turn.endSample);
        return;
      }
      case 'input_audio_buffer.committed':
        return this.onCommitted(session, event.item_id);
      case 'conversation.item.input_audio_transcription.delta': {
        const turn = session.turns.get(event.item_id);
        if (!turn) return;
        turn.text += event.delta;
        // deltas are token pieces: a partial goes out when a word is complete, never half a word
        const words = turn.text.trim().split(/\s+/).filter(Boolean);
        const complete = /\s$/.test(turn.text) ? words.length : words.length - 1;
        if (this.options.partials && complete > turn.partialWords) {
          turn.partialWords = complete;
          this.queue.push(this.result(turn, false, session, null, words.slice(0, complete).join(' ')));
        }
        return;
      }
      case 'conversation.item.input_audio_transcription.completed': {
        const turn = session.turns.get(event.item_id);
        if (!turn) return;
        turn.text = event.transcript;
        if (turn.timer) clearTimeout(turn.timer);
        session.turns.delete(turn.itemId);
        session.vadEnded.delete(turn.itemId);
        if (turn.text.trim() !== '')
          this.queue.push(this.result(turn, true, session, event.logprobs ?? null));
        this.done.push(turn.audio ?? { start: turn.startSample, end: turn.endSample ?? turn.startSample });
        this.reconnects = 0;
        this.forget();
        this.closeIfFinished(session);
        this.settle();
        return;
      }
      case 'conversation.item.input_audio_transcription.failed':
        return this.fail(`transcription failed: ${event.error?.message ?? event.error?.code ?? 'no reason'}`);
      case 'error': {
        const code = event.error?.code ?? '';
        if (BENIGN_ERROR_CODES.has(code)) {
          session.commits.shift(); // our commit found nothing left to commit
          this.closeIfFinished(session);
          this.settle();
          return;
        }
        if (SESSION_OVER_CODES.has(code)) {
          session.conn.close();
          this.onEnd(session, { byUs: false, status: null, reason: `session over: ${code}` });
          return;
        }
        return this.fail(
          `error event ${code || event.error?.type || ''}: ${event.error?.message ?? ''}`.trim(),
        );
      }
      default:
        return;
    }
  }

  private onCommitted(session: Session, itemId: string): void {
    let turn = session.turns.get(itemId);
    if (!session.vadEnded.has(itemId)) {
      const sent = session.commits.shift();
      if (!sent) return; // a commit we did not ask for on a retired session: the new session has that audio
      if (!turn) {
        turn = this.newTurn(itemId, sent.startSample, sent.utteranceId);
        session.turns.set(itemId, turn);
      }
      turn.endSample = sent.endSample;
      turn.audio = { start: Math.min(turn.startSample, sent.audio.start), end: sent.audio.end };
      if (session.speaking === turn) session.speaking = null;
    }
    if (!turn) return;
    turn.committed = true;
    const timeoutMs = this.engine.options.itemTimeoutMs ?? 20_000;
    turn.timer = setTimeout(() => this.fail(`no transcript within ${timeoutMs} ms of a commit`), timeoutMs);
    turn.timer.unref?.();
  }

  private onEnd(session: Session, end: ConnectionEnd): void {
    if (this.failed || this.closed || !this.sessions.has(session)) return;
    this.sessions.delete(session);
    for (const turn of session.turns.values()) if (turn.timer) clearTimeout(turn.timer);
    if (end.status !== null && end.status >= 400 && end.status < 500) {
      return this.fail(end.status === 429 ? `rate limited (HTTP 429)` : end.reason);
    }
    if (session !== this.current && session.turns.size === 0 && session.commits.length === 0) return;
    if (++this.reconnects > (this.engine.options.maxReconnects ?? 3)) {
      return this.fail(`connection lost and not re-established: ${end.reason}`);
    }
    this.progress++;
    // what the lost session still owed: committed turns (committed again, same utterance id), commits it had not
    // answered, and (for the current session) the audio after its last commit
    const replay: Replay[] = [];
    for (const turn of session.turns.values()) {
      if (turn.endSample === null) continue; // open: part of a pending commit or of the tail
      replay.push({
        audio: turn.audio ?? { start: turn.startSample, end: turn.endSample },
        commit: { startSample: turn.startSample, endSample: turn.endSample, utteranceId: turn.utteranceId },
      });
    }
    const open = session.speaking;
    let openCovered = false;
    for (const sent of session.commits) {
      const ownsOpen = open !== null && open.startSample < sent.audio.end;
      openCovered ||= ownsOpen;
      replay.push({
        audio: ownsOpen
          ? { start: Math.min(open.startSample, sent.audio.start), end: sent.audio.end }
          : sent.audio,
        commit: {
          startSample: ownsOpen ? open.startSample : sent.startSample,
          endSample: sent.endSample,
          utteranceId: sent.utteranceId ?? (ownsOpen ? open.utteranceId : null),
        },
      });
    }
    let replacement: Session;
    if (session === this.current) {
      const tailStart =
        open && !openCovered ? Math.min(open.startSample, this.committedUntil) : this.committedUntil;
      replacement = this.connect(false);
      this.current = replacement;
      this.committedUntil = tailStart;
      replay.push({ audio: { start: tailStart, end: this.fedUntil }, commit: null });
    } else {
      replacement = this.connect(true);
    }
    replay.sort((a, b) => a.audio.start - b.audio.start);
    this.resend(replacement, replay);
    this.closeIfFinished(replacement);
    this.settle();
  }

  /** Re-send kept audio (minus what was transcribed meanwhile), committing what had been committed. */
  private resend(session: Session, replay: Replay[]): void {
    for (const { audio, commit } of replay) {
      let sent = 0;
      for (const piece of this.slices(audio)) {
        session.conn.append(piece.mulaw, piece.startSample);
        sent += piece.mulaw.length;
      }
      if (commit && sent > 0) {
        session.commits.push({ ...commit, audio });
        session.conn.send({ type: 'input_audio_buffer.commit' });
      }
    }
  }

  /** kept audio inside the span, without the parts already transcribed */
  private *slices(span: Span): Generator<{ mulaw: Uint8Array; startSample: number }> {
    for (const chunk of this.kept) {
      const from = Math.max(span.start, chunk.startSample);
      const to = Math.min(span.end, chunk.startSample + chunk.mulaw.length);
      if (to <= from) continue;
      for (const part of subtract({ start: from, end: to }, this.done)) {
        yield {
          mulaw: chunk.mulaw.subarray(part.start - chunk.startSample, part.end - chunk.startSample),
          startSample: part.start,
        };
      }
    }
  }

  // ---------------------------------------------------------------- bookkeeping

  private newTurn(itemId: string, startSample: number, utteranceId: string | null): Turn {
    return {
      itemId,
      utteranceId: utteranceId ?? `${this.engine.name}-${++this.counter}`,
      startSample,
      endSample: null,
      text: '',
      partialWords: 0,
      committed: false,
      timer: null,
      audio: null,
    };
  }

  private keep(chunk: Chunk): void {
    this.kept.push(chunk);
    this.keptSamples += chunk.mulaw.length;
    const max = (this.engine.options.maxReplaySeconds ?? 60) * this.options.sampleRate;
    while (this.keptSamples > max && this.kept.length > 1) {
      this.keptSamples -= this.kept.shift()!.mulaw.length;
    }
  }

  /** drop kept audio no session can still need */
  private forget(): void {
    let from = this.committedUntil;
    for (const session of this.sessions) {
      for (const turn of session.turns.values()) from = Math.min(from, turn.audio?.start ?? turn.startSample);
      for (const commit of session.commits) from = Math.min(from, commit.audio.start);
    }
    while (this.kept.length > 0) {
      const first = this.kept[0]!;
      if (first.startSample + first.mulaw.length > from) break;
      this.keptSamples -= first.mulaw.length;
      this.kept.shift();
    }
    this.done = this.done.filter((span) => span.end > from);
    for (const session of this.sessions) session.conn.prune(from);
  }

  private voicedSinceCommit(): boolean {
    return this.kept.some((c) => c.voiced && c.startSample + c.mulaw.length > this.committedUntil);
  }

  /** every commit answered and every committed turn transcribed */
  private settled(): boolean {
    for (const session of this.sessions) {
      if (session.commits.length > 0) return false;
      for (const turn of session.turns.values()) if (turn.committed) return false;
    }
    return true;
  }

  private settle(): void {
    if (!this.settled() && !this.failed) return;
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private result(
    turn: Turn,
    isFinal: boolean,
    session: Session,
    logprobs: { logprob: number }[] | null,
    text = turn.text.trim(),
  ): RecognitionResult {
    const start = turn.startSample;
    const end = Math.max(start, turn.endSample ?? session.conn.pushedToStream(session.conn.pushed));
    const confidence = confidenceOf(logprobs);
    return {
      utteranceId: turn.utteranceId,
      isFinal,
      text,
      words: isFinal ? spreadWords(text, start, end, confidence) : [],
      startSample: start,
      durationSamples: end - start,
      confidence,
      language: this.options.language,
      engine: this.engine.name,
      ...(isFinal ? { timingsEstimated: true } : {}),
    };
  }

  private fail(message: string): void {
    if (this.failed || this.closed) return;
    this.failed = new EngineFailure(this.engine.name, message);
    this.shutdown();
    this.queue.end();
    this.settle();
  }

  private shutdown(): void {
    for (const session of this.sessions) {
      for (const turn of session.turns.values()) if (turn.timer) clearTimeout(turn.timer);
      session.conn.close();
    }
    this.sessions.clear();
    this.kept = [];
    this.keptSamples = 0;
  }
}

/** the service gives text only: words spread evenly over the turn, and the result says the times are estimated */
function spreadWords(text: string, start: number, end: number, confidence: number): RecognizedWord[] {
  const texts = text.split(/\s+/).filter(Boolean);
  if (texts.length === 0) return [];
  const each = Math.floor((end - start) / texts.length);
  return texts.map((t, i) => ({ text: t, startSample: start + i * each, durationSamples: each, confidence }));
}

/** mean token log-probability as a 0..1 confidence; 0.8 when the service sent none */
function confidenceOf(logprobs: { logprob: number }[] | null): number {
  const values = (logprobs ?? []).map((l) => l.logprob).filter((p) => Number.isFinite(p));
  if (values.length === 0) return 0.8;
  return Math.min(1, Math.max(0, Math.exp(values.reduce((a, b) => a + b, 0) / values.length)));
}

/** some 20 ms frame is at least VOICE_DBFS loud: PCM, or µ-law read through the G.711 `decode` table */
function hasVoice(audio: Int16Array | Uint8Array, decode: Int16Array | null): boolean {
  const frame = 160;
  for (let offset = 0; offset < audio.length; offset += frame) {
    const end = Math.min(audio.length, offset + frame);
    let energy = 0;
    for (let i = offset; i < end; i++) {
      const sample = decode ? decode[audio[i]!]! : audio[i]!;
      energy += sample * sample;
    }
    if (10 * Math.log10(energy / (end - offset) / (32768 * 32768) + 1e-12) >= VOICE_DBFS) return true;
  }
  return false;
}

/** the parts of `span` not covered by any of `covered` */
function subtract(span: Span, covered: Span[]): Span[] {
  let parts = [span];
  for (const c of covered) {
    parts = parts.flatMap((p) => {
      if (c.end <= p.start || c.start >= p.end) return [p];
      const out: Span[] = [];
      if (c.start > p.start) out.push({ start: p.start, end: c.start });
      if (c.end < p.end) out.push({ start: c.end, end: p.end });
      return out;
    });
  }
  return parts;
}

/** The configured prompt (with the deployment vocabulary), then this call's phrases: they reach this call only. */
export function streamPrompt(prompt: string, phrases: readonly string[]): string {
  const call = phrases.length > 0 ? `Vocabulary of this call: ${phrases.join(', ')}.` : '';
  return [prompt, call].filter(Boolean).join(' ');
}
