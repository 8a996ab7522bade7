/**
 * AssistWorker: subscribes to conversation events (consumer group "assist"), feeds final transcripts to one
 * ConversationAssistant per conversation, and publishes `assist_update` events.
 *
 * Ordering: events of one conversation are processed one at a time, in arrival order (a promise chain per
 * conversation); segments are ordered by stream offset inside the engine, duplicates (redelivery) are ignored.
 * State: in memory, per conversation, keyed by conversation id. It is complete when every event of a conversation
 * reaches this worker (the in-process bus; a bus partitioned by conversation id). With a TranscriptHistory
 * configured, every final first replays the conversation's earlier stored finals this worker has not seen (the
 * engine skips known ids), so workers sharing a round-robin stream still summarise the whole call.
 * Memory: a conversation is dropped on session_ended (after its LLM work settles), after `idleTimeoutMs` without
 * events, or — oldest first — when `maxConversations` is exceeded.
 */
import { randomUUID } from 'node:crypto';
import type {
  AssistResult,
  ConversationEvent,
  EVENT_SCHEMA_VERSION,
  TranscriptSegment,
} from '@hookscribe/conversations';
import { silentLogger, type AssistLogger } from '../assist-logger.js';
import type { ConversationAssistant } from '../engine/conversation-assistant.js';
import type { AssistBus, TranscriptHistory } from './assist-bus.js';

export const ASSIST_CONSUMER_GROUP = 'assist';

export interface AssistWorkerOptions {
  bus: AssistBus;
  /** makes the assistant for a conversation; `publish` sends its background (LLM) snapshots */
  createAssistant: (
    conversationId: string,
    publish: (result: AssistResult) => Promise<void>,
  ) => ConversationAssistant;
  history?: TranscriptHistory | null;
  group?: string;
  consumer?: string;
  /** drop a conversation after this long without events (default 30 min) */
  idleTimeoutMs?: number;
  /** conversations held at once; the least recently active is dropped beyond it (default 5000) */
  maxConversations?: number;
  clock?: () => number;
  newId?: () => string;
  logger?: AssistLogger;
}

export interface AssistWorkerStats {
  conversations: number;
  finals: number;
  published: number;
  publishFailures: number;
  evicted: number;
}

interface Slot {
  assistant: ConversationAssistant;
  lastEventAt: number;
  /** the last snapshot could not be published; retry on the next delivery */
  unpublished: AssistResult | null;
}

const ENDED_MEMORY = 10_000;
/**
 * The schema version this worker writes. Typed against the schema's constant, so a version bump fails to compile
 * here; a literal keeps the worker from loading the whole conversations package (stores, SDKs) at run time.
 */
const SCHEMA_VERSION: typeof EVENT_SCHEMA_VERSION = 1;

export class AssistWorker {
  private readonly slots = new Map<string, Slot>();
  private readonly chains = new Map<string, Promise<void>>();
  /** ended conversation ids (bounded) — late or redelivered events for them are ignored */
  private readonly ended = new Set<string>();
  private readonly settling = new Set<Promise<void>>();
  private subscription: { close(): Promise<void> } | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly clock: () => number;
  private readonly newId: () => string;
  private readonly logger: AssistLogger;
  private readonly idleTimeoutMs: number;
  private readonly maxConversations: number;
  readonly stats: AssistWorkerStats = {
    conversations: 0,
    finals: 0,
    published: 0,
    publishFailures: 0,
    evicted: 0,
  };

  constructor(private readonly options: AssistWorkerOptions) {
    this.clock = options.clock ?? Date.now;
    this.newId = options.newId ?? randomUUID;
    this.logger = options.logger ?? silentLogger;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30 * 60_000;
    this.maxConversations = options.maxConversations ?? 5000;
  }

  async start(): Promise<void> {
    if (this.subscription) return;
    this.subscription = await this.options.bus.subscribe((event) => this.handle(event), {
      group: this.options.group ?? ASSIST_CONSUMER_GROUP,
      ...(this.options.consumer ? { consumer: this.options.consumer } : {}),
    });
    this.sweepTimer = setInterval(() => this.sweepIdle(), Math.max(1000, Math.floor(this.idleTimeoutMs / 4)));
    this.sweepTimer.unref();
  }

  /** Stops receiving, then waits (up to `graceMs`) for background LLM work to publish. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    await this.subscription?.close();
    this.subscription = null;
    await Promise.race([this.idle(), new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  /** Resolves when no event is being processed and no LLM request is outstanding. */
  async idle(): Promise<void> {
    for (;;) {
      const work = [
        ...this.chains.values(),
        ...this.settling,
        ...[...this.slots.values()].map((s) => s.assistant.idle()),
      ];
      if (work.length === 0) return;
      await Promise.allSettled(work);
      if (
        this.chains.size === 0 &&
        this.settling.size === 0 &&
        ![...this.slots.values()].some((s) => s.assistant.llmBusy)
      )
        return;
    }
  }

  get conversationCount(): number {
    return this.slots.size;
  }

  /** The bus handler: resolves once the event is processed and its update published (then the bus acks). */
  handle(event: ConversationEvent): Promise<void> {
    if (
      event.type !== 'transcript_available' &&
      event.type !== 'session_ended' &&
      event.type !== 'session_started' &&
      event.type !== 'transcript_replaced'
    )
      return Promise.resolve(); // partials, recordings and our own assist_update events are not ours to process
    const id = event.conversationId;
    const previous = this.chains.get(id) ?? Promise.resolve();
    const next = previous.then(() => this.process(event));
    const tail = next.catch(() => {});
    this.chains.set(id, tail);
    void tail.then(() => {
      if (this.chains.get(id) === tail) this.chains.delete(id);
    });
    return next;
  }

  /** Drops conversations idle for longer than the idle timeout. Returns how many. */
  sweepIdle(): number {
    const now = this.clock();
    let n = 0;
    for (const [id, slot] of this.slots) {
      if (now - slot.lastEventAt < this.idleTimeoutMs || slot.assistant.llmBusy) continue;
      this.slots.delete(id);
      this.stats.evicted++;
      n++;
      this.logger.warn(
        `assist ${id}: no events for ${Math.round((now - slot.lastEventAt) / 1000)} s, state dropped`,
      );
    }
    return n;
  }

  private async process(event: ConversationEvent): Promise<void> {
    const id = event.conversationId;
    if (event.type === 'transcript_replaced') {
      // transcribed again from the recording after the call: the end-of-call summary is redone from the new one
      this.slots.delete(id);
      const slot = this.slot(id);
      for (const segment of event.data.segments) slot.assistant.engine.addFinal(segment);
      await this.publishFrom(slot, id, slot.assistant.end());
      this.markEnded(id);
      this.slots.delete(id);
      const settle = slot.assistant.idle().finally(() => this.settling.delete(settle));
      this.settling.add(settle);
      return;
    }
    if (this.ended.has(id)) return;
    if (event.type === 'session_started') {
      this.slot(id);
      return;
    }
    if (event.type === 'transcript_available') {
      const segment = event.data;
      if (!segment.isFinal) return;
      const slot = this.slot(id);
      if (this.options.history) await this.replay(slot, id, segment);
      slot.lastEventAt = this.clock();
      const result = slot.assistant.onFinal(segment);
      if (result) this.stats.finals++;
      const toSend = result ?? slot.unpublished;
      if (toSend) await this.publishFrom(slot, id, toSend);
      return;
    }
    if (event.type === 'session_ended') {
      const slot = this.slot(id);
      if (this.options.history) await this.replay(slot, id, null); // finals other workers saw since our last one
      const result = slot.assistant.end();
      await this.publishFrom(slot, id, result);
      this.markEnded(id);
      this.slots.delete(id);
      const settle = slot.assistant.idle().finally(() => this.settling.delete(settle));
      this.settling.add(settle);
    }
  }

  private slot(id: string): Slot {
    const existing = this.slots.get(id);
    if (existing) return existing;
    const slot: Slot = {
      assistant: this.options.createAssistant(id, (result) => this.publishResult(id, result)),
      lastEventAt: this.clock(),
      unpublished: null,
    };
    this.slots.set(id, slot);
    this.stats.conversations++;
    if (this.slots.size > this.maxConversations) this.evictOldest();
    return slot;
  }

  /** Feeds stored finals before `upTo` that this worker has not seen (no updates are published for them). */
  private async replay(slot: Slot, id: string, upTo: TranscriptSegment | null): Promise<void> {
    try {
      const finals = await this.options.history?.finals(id);
      for (const s of finals ?? []) {
        if (upTo && (s.id === upTo.id || s.offset > upTo.offset)) continue;
        slot.assistant.engine.addFinal(s);
      }
    } catch (err) {
      this.logger.warn(
        `assist ${id}: could not load earlier transcript, continuing from here: ${(err as Error).message}`,
      );
    }
  }

  private evictOldest(): void {
    let oldest: [string, Slot] | null = null;
    for (const entry of this.slots)
      if (!oldest || entry[1].lastEventAt < oldest[1].lastEventAt) oldest = entry;
    if (!oldest) return;
    this.slots.delete(oldest[0]);
    this.stats.evicted++;
    this.logger.warn(`assist ${oldest[0]}: dropped, more than ${this.maxConversations} conversations held`);
  }

  private markEnded(id: string): void {
    this.ended.add(id);
    if (this.ended.size > ENDED_MEMORY) {
      const first = this.ended.values().next().value;
      if (first !== undefined) this.ended.delete(first);
    }
  }

  private async publishFrom(slot: Slot, id: string, result: AssistResult): Promise<void> {
    try {
      await this.publishResult(id, result);
      slot.unpublished = null;
    } catch (err) {
      slot.unpublished = result;
      throw err; // the bus redelivers; the retry publishes the pending snapshot
    }
  }

  private async publishResult(conversationId: string, data: AssistResult): Promise<void> {
    const event: ConversationEvent = {
      schemaVersion: SCHEMA_VERSION,
      eventId: this.newId(),
      type: 'assist_update',
      conversationId,
      time: new Date(this.clock()).toISOString(),
      data,
    };
    try {
      await this.options.bus.publish(event);
      this.stats.published++;
    } catch (err) {
      this.stats.publishFailures++;
      this.logger.warn(
        `assist ${conversationId}: publishing assist_update failed: ${(err as Error).message}`,
      );
      throw err;
    }
  }
}
