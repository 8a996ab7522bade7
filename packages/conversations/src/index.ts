export * from './events.js';
export * from './store/conversation-store.js';
export * from './store/store-errors.js';
