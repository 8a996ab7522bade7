/**
 * A group of routes registered inside the conversation API plugin, so they share its authentication, access hook
 * and error handling, and whose OpenAPI paths are merged into /api/openapi.json.
 */
import type { FastifyPluginAsync } from 'fastify';

export interface ApiRoutes {
  plugin: FastifyPluginAsync;
  /** OpenAPI 3.1 `paths` entries of these routes */
  openapiPaths: Record<string, unknown>;
}
