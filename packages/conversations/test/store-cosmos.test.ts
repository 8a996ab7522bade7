/**
 * CosmosConversationStore at the SDK boundary (a fake container; neither Azure nor the Cosmos emulator is reachable
 * here, so this adapter has NOT been run against a real Cosmos DB).
 */
import { describe, expect, it } from 'vitest';
import { CosmosConversationStore, StoreUnavailableError, type CosmosContainerLike } from '../src/index.js';
import {
  describeConversationStoreContract,
  makeConversation,
  makeEvent,
  makeSegment,
} from './store-contract.js';
import { describeConversationPrivacyContract } from './store-privacy-contract.js';
import { FakeCosmosContainer } from './store-cosmos-fake-container.js';

const asContainer = (fake: FakeCosmosContainer): CosmosContainerLike =>
  fake as unknown as CosmosContainerLike;

describeConversationStoreContract('Cosmos DB (fake container at the SDK boundary)', async () => {
  const fake = new FakeCosmosContainer();
  const store = new CosmosConversationStore({ container: asContainer(fake) });
  return {
    store,
    openPeer: async () => new CosmosConversationStore({ container: asContainer(fake) }),
    cleanup: () => store.close(),
  };
});

describeConversationPrivacyContract('Cosmos DB (fake container at the SDK boundary)', async () => {
  const store = new CosmosConversationStore({ container: asContainer(new FakeCosmosContainer()) });
  return { store, cleanup: () => store.close() };
});

describe('Cosmos adapter specifics', () => {
  it('keeps every document of a conversation in its partition and writes events in the same batch', async () => {
    const fake = new FakeCosmosContainer();
    const store = new CosmosConversationStore({ container: asContainer(fake) });
    const conversation = makeConversation();
    await store.upsertConversation(conversation, {
      events: [makeEvent('session_started', conversation.id, conversation)],
    });
    await store.appendSegment(conversation.id, makeSegment('hello'));
    const partitions = new Set([...fake.docs.values()].map((doc) => doc.conversationId));
    expect(partitions).toEqual(new Set([conversation.id]));
    expect([...fake.docs.values()].map((doc) => doc.type).sort()).toEqual([
      'conversation',
      'event',
      'outbox',
      'segment',
    ]);
    await store.close();
  });

  it('refuses events that belong to another conversation (they could not share the transaction)', async () => {
    const store = new CosmosConversationStore({ container: asContainer(new FakeCosmosContainer()) });
    const conversation = makeConversation();
    const other = makeConversation();
    await expect(
      store.upsertConversation(conversation, { events: [makeEvent('session_started', other.id, other)] }),
    ).rejects.toThrow(/belongs to/);
    await store.close();
  });

  it('service unavailable: health degraded, writes retried until it is back, reads fail clearly', async () => {
    const fake = new FakeCosmosContainer();
    const store = new CosmosConversationStore({
      container: asContainer(fake),
      initialBackoffMs: 20,
      maxBackoffMs: 100,
    });
    const conversation = makeConversation();
    await store.upsertConversation(conversation);
    fake.down = true;
    const write = store.appendSegment(conversation.id, makeSegment('while down'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const health = await store.health();
    expect(health).toMatchObject({ status: 'degraded', pendingWrites: 1 });
    expect(health.detail).toMatch(/Cosmos DB unreachable/);
    await expect(store.listConversations()).rejects.toBeInstanceOf(StoreUnavailableError);
    fake.down = false;
    await write;
    expect((await store.getConversation(conversation.id))?.transcript.map((s) => s.text)).toEqual([
      'while down',
    ]);
    expect((await store.health()).status).toBe('ok');
    await store.close();
  });
});
