export * from './events.js';
export * from './store/conversation-store.js';
export * from './store/store-errors.js';
export * from './store/sqlite-conversation-store.js';
export * from './store/postgres-conversation-store.js';
export * from './redaction/transcript-redactor.js';
export * from './redaction/luhn.js';
