/**
 * Public surface of @hookscribe/audiohook, agreed before implementation so that the server, the simulator and the
 * protocol library can be built at the same time. Implementations live in their own files and are re-exported from
 * index.ts; this file holds only types. Change a signature here only together with every user of it.
 *
 * The library is pure: no sockets, timers or clocks. Time and randomness are injected.
 *
 * Changes since the agreed version (all additive):
 * - SessionEvent 'opened' gains `startPaused: boolean` (the session opened in a server-initiated pause).
 * - Issue 11: OpenParameters.media is the raw offer (`unknown[]`, entries checked one by one); SessionStep gains
 *   `wakeAfterMs` and ServerSession `wake()` (coalesced pause/resume under the rate limit); ServerSessionOptions
 *   gains `nowMs` (required: the clock is injected) and `pauseResumeLimit`.
 * - SessionEvent gains `{ type: 'ignored'; messageType; reason }`: a tolerated message that caused no action (unknown
 *   message type, MUST 29; a message not meaningful in the current state; audio after `close`). Log it, nothing else.
 * - Issue 17: SessionEvent 'audio' gains `mulaw` (PCMU bytes per channel as received, null for L16) and `samples`,
 *   so the realtime engine gets the client's bytes and nobody decodes a frame to learn its length.
 */

// ---------------------------------------------------------------- protocol values

export type Uuid = string;
/** `PT<decimal seconds>S` (digest §3.1). */
export type Duration = string;
export type LanguageCode = string;
export type ChannelName = 'external' | 'internal';
export type MediaFormat = 'PCMU' | 'L16';

export interface MediaParameter {
  type: 'audio';
  format: MediaFormat;
  channels: ChannelName[];
  rate: 8000;
}

export interface Participant {
  id: Uuid;
  ani: string;
  aniName: string;
  dnis: string;
}

export interface OpenParameters {
  organizationId: Uuid;
  conversationId: Uuid;
  participant: Participant;
  /** the offer as sent: entries are checked one by one (checkMediaOffer), unusable ones are skipped (§7.7) */
  media: unknown[];
  language?: LanguageCode;
  supportedLanguages?: boolean;
  continuedSessions?: { id: Uuid; serverseq: number; clientseq: number }[];
  customConfig?: Record<string, unknown>;
  [unknown: string]: unknown;
}

export type CloseReason = 'end' | 'error' | 'disconnect' | 'reconnect';
export type DisconnectReason = 'completed' | 'unauthorized' | 'error';

interface ClientEnvelope<T extends string, P> {
  version: '2';
  id: Uuid;
  type: T;
  seq: number;
  serverseq: number;
  position: Duration;
  parameters: P;
}

export type OpenMessage = ClientEnvelope<'open', OpenParameters>;
export type PingMessage = ClientEnvelope<'ping', { rtt?: Duration }>;
export type PausedMessage = ClientEnvelope<'paused', Record<string, unknown>>;
export type ResumedMessage = ClientEnvelope<'resumed', { start: Duration; discarded: Duration }>;
export type DiscardedMessage = ClientEnvelope<'discarded', { start: Duration; discarded: Duration }>;
export type UpdateMessage = ClientEnvelope<'update', { language?: LanguageCode }>;
export type ClientErrorMessage = ClientEnvelope<
  'error',
  { code: number; message: string; retryAfter?: Duration }
>;
export type CloseMessage = ClientEnvelope<'close', { reason: CloseReason }>;
/** A well-formed envelope whose `type` this library does not know (tolerated, digest §10.29). */
export type UnknownClientMessage = ClientEnvelope<string, Record<string, unknown>> & { unknownType: true };

export type ClientMessage =
  | OpenMessage
  | PingMessage
  | PausedMessage
  | ResumedMessage
  | DiscardedMessage
  | UpdateMessage
  | ClientErrorMessage
  | CloseMessage;

interface ServerEnvelope<T extends string, P> {
  version: '2';
  id: Uuid;
  type: T;
  seq: number;
  clientseq: number;
  parameters: P;
}

export interface OpenedParameters {
  media: MediaParameter[];
  startPaused?: boolean;
  discardTo?: Duration;
  supportedLanguages?: LanguageCode[];
}

export type OpenedMessage = ServerEnvelope<'opened', OpenedParameters>;
export type PongMessage = ServerEnvelope<'pong', Record<string, never>>;
export type PauseMessage = ServerEnvelope<'pause', Record<string, never>>;
export type ResumeMessage = ServerEnvelope<'resume', Record<string, never>>;
export type UpdatedMessage = ServerEnvelope<'updated', Record<string, never>>;
export type EventMessage = ServerEnvelope<'event', { entities: EventEntity[] }>;
export type DisconnectMessage = ServerEnvelope<'disconnect', { reason: DisconnectReason; info?: string }>;
export type ReconnectMessage = ServerEnvelope<'reconnect', { info?: string }>;
export type ClosedMessage = ServerEnvelope<'closed', Record<string, never>>;

export type ServerMessage =
  | OpenedMessage
  | PongMessage
  | PauseMessage
  | ResumeMessage
  | UpdatedMessage
  | EventMessage
  | DisconnectMessage
  | ReconnectMessage
  | ClosedMessage;

// ---------------------------------------------------------------- event entities (digest §8.3, §8.4)

export interface TranscriptToken {
  type: 'word';
  value: string;
  confidence: number;
  offset: Duration;
  duration: Duration;
  language?: LanguageCode;
}

export interface TranscriptEntityData {
  id: Uuid;
  channelId: number;
  isFinal: boolean;
  offset?: Duration;
  duration?: Duration;
  alternatives: {
    confidence: number;
    languages?: LanguageCode[];
    interpretations: { type: 'display'; transcript: string; tokens?: TranscriptToken[] }[];
  }[];
}

export interface AgentAssistEntityData {
  id: Uuid;
  utterances?: {
    id: Uuid;
    position: Duration;
    duration?: Duration;
    text: string;
    language: string;
    confidence: number;
    channel: ChannelName;
    isFinal: boolean;
  }[];
  suggestions?: (
    | { type: 'faq'; id: Uuid; confidence: number; position?: Duration; question: string; answer: string }
    | {
        type: 'article';
        id: Uuid;
        confidence: number;
        position?: Duration;
        title: string;
        excerpts: string[];
        documentUri: string;
        metadata?: Record<string, string>;
      }
  )[];
}

export type EventEntity =
  | { type: 'transcript'; data: TranscriptEntityData }
  | { type: 'agentassist'; data: AgentAssistEntityData }
  | { type: string; data: unknown };

// ---------------------------------------------------------------- parsing

/** Why a client text frame was rejected; `info` is safe to send in `disconnect.info`. */
export interface ProtocolViolation {
  code:
    | 'malformed-json'
    | 'too-large'
    | 'bad-envelope'
    | 'bad-version'
    | 'bad-id'
    | 'bad-seq'
    | 'bad-serverseq'
    | 'bad-parameters'
    | 'unexpected-message'
    | 'unexpected-binary'
    | 'bad-frame-length'
    | 'org-mismatch'
    | 'no-media';
  info: string;
}

// ---------------------------------------------------------------- server session (pure state machine)

export type ServerSessionState =
  'preparing' | 'opening' | 'active' | 'paused' | 'closing' | 'closed' | 'error' | 'unauthorized';

/** Typed events the session raises for the call pipeline (recorder, speech, storage). Positions are samples. */
export type SessionEvent =
  | {
      type: 'opened';
      open: OpenMessage;
      media: MediaParameter | null;
      isProbe: boolean;
      /** language accepted at open, lower-cased match against the supported list, or null */
      language: LanguageCode | null;
      /** opened with startPaused: true (server-initiated pause; send resume() when ready) */
      startPaused: boolean;
    }
  | {
      type: 'audio';
      /** one Int16 PCM array per negotiated channel, in the negotiated order */
      channels: Int16Array[];
      /** raw frame exactly as received (for recording) */
      raw: Uint8Array;
      /** PCMU: each channel's µ-law bytes as received, negotiated order (for engines taking µ-law); L16: null */
      mulaw: Uint8Array[] | null;
      /** samples per channel in this frame (without decoding it) */
      samples: number;
      /** stream position of the first sample of this frame, in samples at 8 kHz */
      startSample: number;
    }
  | { type: 'paused'; atSample: number; serverInitiated: boolean }
  | { type: 'resumed'; startSample: number; discardedSamples: number; atSample: number }
  | { type: 'discarded'; startSample: number; discardedSamples: number }
  | { type: 'update'; language: LanguageCode | null; atSample: number }
  | { type: 'client-error'; code: number; message: string; retryAfterMs: number | null }
  | { type: 'closing'; reason: CloseReason; atSample: number }
  | { type: 'violation'; violation: ProtocolViolation }
  /** tolerated input that caused no action (unknown type, not meaningful in this state, audio after close) */
  | { type: 'ignored'; messageType: string; reason: string }
  | { type: 'ended'; outcome: 'closed' | 'dropped' | 'unauthorized' | 'error'; atSample: number }
  /** every protocol message, both directions, for the recording sidecar */
  | { type: 'message'; direction: 'in' | 'out'; text: string };

/** What one step of the state machine produced: text frames to send (already serialised) and events. */
export interface SessionStep {
  send: string[];
  events: SessionEvent[];
  /** true when the transport should close the socket now (after sending `send`) */
  closeSocket: boolean;
  /** a coalesced `pause`/`resume` waits for the client's rate limit: call `wake()` after this many ms */
  wakeAfterMs?: number;
}

export interface ServerSessionOptions {
  sessionId: Uuid;
  /** Audiohook-Organization-Id header value, checked against open.parameters.organizationId (MUST 6) */
  organizationId: Uuid;
  /** which endpoint profile: transcription sessions may send `event`s, monitor sessions never do (MUST 16) */
  profile: 'monitor' | 'transcription';
  /** languages answered in opened.supportedLanguages (MUST 12) */
  supportedLanguages: LanguageCode[];
  /** start paused when the open language is missing/unsupported (transcription profile, MUST 27) */
  pauseOnUnsupportedLanguage: boolean;
  /** max text message length in UTF-16 units / bytes (default 65535) */
  maxTextLength?: number;
  /** monotonic clock in ms, injected: the pause/resume rate limit (the transport passes performance.now) */
  nowMs: () => number;
  /** budget for server `pause` + `resume` together (default 2/s, burst 4: Genesys's per-kind limit, §7.6) */
  pauseResumeLimit?: { ratePerSecond: number; burst: number };
}

/**
 * (Full surfaces, including read-only getters added during implementation: docs/protocol-library.md.)
 * ServerSession (implementation in server-session.ts):
 *   new ServerSession(options)
 *   .state: ServerSessionState
 *   .receiveText(text: string): SessionStep
 *   .receiveBinary(frame: Uint8Array): SessionStep
 *   .positionSamples: number                      // stream timeline position in samples
 *   .media: MediaParameter | null
 *   .pause(): SessionStep / .resume(): SessionStep   // server-initiated; before opened they set startPaused
 *   .sendEvent(entities: EventEntity[]): SessionStep // throws if not allowed in this state/profile
 *   .disconnect(reason, info?): SessionStep          // no-op after close received (MUST 15)
 *   .finishClose(): SessionStep                      // sends `closed` after the pipeline flushed (MUST 14)
 *   .socketClosed(): SessionStep                     // transport dropped: emits `ended` (dropped) once
 *   .unauthorized(info?): SessionStep                // post-upgrade auth failure path (MUST 5)
 *   .wake(): SessionStep                             // after step.wakeAfterMs: the coalesced pause/resume (§7.6)
 *
 * ClientSession (client-session.ts) mirrors it for the simulator and tests:
 *   new ClientSession({ sessionId, organizationId, conversationId, participant, media, language?,
 *                       supportedLanguages?, customConfig? })
 *   .open(): string   .ping(rttMs?): string   .paused(): string   .resumed(startSamples, discardedSamples): string
 *   .discarded(startSamples, discardedSamples): string   .update(language): string
 *   .error(code, message, retryAfterMs?): string   .close(reason): string
 *   .audio(channels: Int16Array[]): Uint8Array   // encodes in the opened media, advances position
 *   .receiveText(text): { message?: ServerMessage; violations: string[] }  // validates every server rule
 *   .state, .positionSamples, .opened (OpenedParameters | null), .lastServerSeq
 */

// ---------------------------------------------------------------- HTTP message signatures (digest §2)

export type AuthFailureReason =
  | 'missing-headers' // X-API-KEY / Audiohook-* headers absent or not UUIDs
  | 'unknown-key'
  | 'unsigned' // key has a secret but request carries no signature
  | 'malformed-signature' // unparsable Signature / Signature-Input, lone header, label mismatch
  | 'missing-components' // not all six required components covered, or forbidden ones
  | 'keyid-mismatch'
  | 'unsupported-alg'
  | 'missing-nonce'
  | 'replayed-nonce'
  | 'expired'
  | 'not-yet-valid'
  | 'bad-signature';

export type AuthResult =
  | { ok: true; apiKey: string; signed: boolean; nonce: string | null }
  | { ok: false; reason: AuthFailureReason };

/**
 * verifyRequestSignature(input: VerifyInput): AuthResult   (signature-verify.ts)
 * signRequest(input: SignInput): { signatureInput: string; signature: string }   (signature-sign.ts)
 * NonceCache: bounded replay cache with expiry, clock injected (nonce-cache.ts):
 *   new NonceCache({ maxEntries, ttlSeconds }); .checkAndRemember(nonce, nowSeconds): boolean (false = replay)
 */
export interface VerifyInput {
  /** raw path + query exactly as received (MUST 4) */
  requestTarget: string;
  /** Host header as received */
  authority: string;
  /** lower-cased header names; repeated headers as arrays (joined with ", ") */
  headers: Record<string, string | string[] | undefined>;
  /** undefined = unknown key; empty Uint8Array = key configured without secret */
  secretForKey(apiKey: string): Uint8Array | undefined;
  nowSeconds: number;
  /** tolerance for created in the future and expires in the past (default 5 s) */
  clockSkewSeconds?: number;
  /** reject signatures whose created is older than this (default 30 s) */
  maxAgeSeconds?: number;
  /** replay check; return false if the nonce was seen before */
  rememberNonce?(nonce: string): boolean;
  /** random bytes for the dummy key used when the API key is unknown (timing equalisation) */
  randomBytes(n: number): Uint8Array;
}

export interface SignInput {
  requestTarget: string;
  authority: string;
  organizationId: string;
  sessionId: string;
  correlationId: string;
  apiKey: string;
  secret: Uint8Array;
  nonce: string;
  created: number;
  expires: number;
  label?: string;
}
