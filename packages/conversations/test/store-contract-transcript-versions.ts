/**
 * ConversationStore contract, transcription state and transcript versions (post-call transcription): run by
 * describeConversationStoreContract for every adapter.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import {
  StoreInputError,
  StoreNotFoundError,
  type ConversationStore,
  type TranscriptionState,
} from '../src/index.js';
import { makeConversation, makeEvent, makeSegment } from './store-contract.js';

function state(overrides: Partial<TranscriptionState> = {}): TranscriptionState {
  return {
    status: 'done',
    reason: null,
    version: 'recovered',
    updatedAt: '2026-01-01T10:06:00.000Z',
    ...overrides,
  };
}

export function describeTranscriptVersions(
  store: () => ConversationStore,
  drainOutbox: () => Promise<void>,
): void {
  it('keeps the transcription state on the summary, through ending the call', async () => {
    const conversation = makeConversation();
    await store().upsertConversation({
      ...conversation,
      transcription: state({ status: 'live', version: 'live' }),
    });
    await store().setTranscription(
      conversation.id,
      state({ status: 'pending', reason: 'live capacity full', version: 'live' }),
    );
    await store().endConversation(conversation.id, {
      state: 'ended',
      closeReason: 'end',
      endedAt: '2026-01-01T10:05:00Z',
    });
    const read = await store().getConversation(conversation.id);
    expect(read?.transcription).toEqual(
      state({ status: 'pending', reason: 'live capacity full', version: 'live' }),
    );
    const listed = await store().listConversations({ ani: conversation.ani, limit: 200 });
    expect(listed.items.find((c) => c.id === conversation.id)?.transcription?.status).toBe('pending');
    await expect(store().setTranscription(randomUUID(), state())).rejects.toBeInstanceOf(StoreNotFoundError);
    await expect(
      store().setTranscription(conversation.id, { ...state(), status: 'lost' as 'done' }),
    ).rejects.toBeInstanceOf(StoreInputError);
  });

  it('a stored version replaces the transcript and search; the live one stays readable; once per version', async () => {
    await drainOutbox();
    const word = `zebra${randomUUID().slice(0, 6)}`;
    const fresh = `quokka${randomUUID().slice(0, 6)}`;
    const conversation = makeConversation();
    await store().upsertConversation(conversation);
    const live = makeSegment(`the ${word} was`, { offset: 1 });
    await store().appendSegment(conversation.id, live);
    expect(await store().getTranscriptVersion(conversation.id, 'live')).toEqual([live]);
    expect(await store().getTranscriptVersion(conversation.id, 'recovered')).toBeNull();

    const recovered = [
      makeSegment(`a ${fresh} said hello`, { offset: 0.5 }),
      makeSegment('and goodbye', { offset: 3, channel: 1, role: 'agent' }),
    ];
    const event = makeEvent('transcript_available', conversation.id, recovered[0]!);
    const stored = await store().storeTranscriptVersion(conversation.id, 'recovered', recovered, state(), {
      events: [event],
    });
    expect(stored).toBe(true);
    const read = await store().getConversation(conversation.id);
    expect(read?.transcript).toEqual(recovered);
    expect(read?.transcription).toEqual(state());
    expect(await store().getTranscriptVersion(conversation.id, 'live')).toEqual([live]);
    expect(await store().getTranscriptVersion(conversation.id, 'recovered')).toEqual(recovered);
    const hits = async (text: string) =>
      (await store().listConversations({ text, limit: 200 })).items.map((c) => c.id);
    expect(await hits(fresh)).toContain(conversation.id);
    expect(await hits(word)).not.toContain(conversation.id);
    const outbox = await store().claimOutbox(50, 60_000);
    expect(outbox.map((entry) => entry.event.eventId)).toEqual([event.eventId]);
    await store().ackOutbox(outbox.map((entry) => entry.id));

    // a second worker finishing the same job writes nothing
    const again = await store().storeTranscriptVersion(
      conversation.id,
      'recovered',
      [makeSegment('something else')],
      state({ updatedAt: '2026-01-01T11:00:00.000Z' }),
      { events: [makeEvent('transcript_available', conversation.id, recovered[1]!)] },
    );
    expect(again).toBe(false);
    expect((await store().getConversation(conversation.id))?.transcript).toEqual(recovered);
    expect(await store().outboxDepth()).toBe(0);

    // the accurate second pass after the recovered one keeps both readable
    const accurate = [makeSegment(`a ${fresh} said hello there`, { offset: 0.5 })];
    expect(
      await store().storeTranscriptVersion(
        conversation.id,
        'accurate',
        accurate,
        state({ version: 'accurate' }),
      ),
    ).toBe(true);
    expect((await store().getConversation(conversation.id))?.transcript).toEqual(accurate);
    expect(await store().getTranscriptVersion(conversation.id, 'recovered')).toEqual(recovered);
    expect(await store().getTranscriptVersion(conversation.id, 'live')).toEqual([live]);
  });

  it('refuses storing a live version, partial segments or an unknown conversation', async () => {
    const conversation = makeConversation();
    await store().upsertConversation(conversation);
    await expect(
      store().storeTranscriptVersion(conversation.id, 'live' as 'recovered', [], state()),
    ).rejects.toBeInstanceOf(StoreInputError);
    await expect(
      store().storeTranscriptVersion(
        conversation.id,
        'recovered',
        [makeSegment('x', { isFinal: false })],
        state(),
      ),
    ).rejects.toBeInstanceOf(StoreInputError);
    await expect(
      store().storeTranscriptVersion(randomUUID(), 'recovered', [makeSegment('x')], state()),
    ).rejects.toBeInstanceOf(StoreNotFoundError);
  });
}
