/** The conversation REST + live API plugin and the pieces the server wires with it. */
export { conversationApi, type ConversationApiOptions, type RecordingReader } from './conversation-api.js';
export { ApiTokens, parseApiToken, presentedToken } from './api-auth.js';
export { LiveEventFeed, type LiveEventFeedOptions } from './live-event-feed.js';
export { conversationApiOpenApi } from './openapi.js';
export { MAX_PAGE_SIZE } from './api-schemas.js';
