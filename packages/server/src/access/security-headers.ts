/**
 * Security headers on every response (@fastify/helmet): a Content-Security-Policy that allows only the UI's own
 * scripts, styles, API and media, `frame-ancestors` from HOOKSCRIBE_FRAME_ANCESTORS (default 'self'; add the Genesys
 * Cloud origins, e.g. https://apps.mypurecloud.com, to embed the UI there), and the usual helmet defaults (nosniff,
 * referrer policy, HSTS when served over https, no X-Powered-By). X-Frame-Options cannot express a list of origins,
 * so it is sent only while frame-ancestors is 'self' or 'none'; browsers that know CSP ignore it anyway.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

export interface SecurityHeadersOptions {
  frameAncestors: string[];
  /** the public URL is https: send HSTS */
  https: boolean;
}

export async function registerSecurityHeaders(
  fastify: FastifyInstance,
  options: SecurityHeadersOptions,
): Promise<void> {
  const ancestors = options.frameAncestors.length > 0 ? options.frameAncestors : ["'self'"];
  const onlySelf = ancestors.length === 1 && (ancestors[0] === "'self'" || ancestors[0] === "'none'");
  await fastify.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ancestors,
        ...(options.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: onlySelf ? { action: ancestors[0] === "'none'" ? 'deny' : 'sameorigin' } : false,
    hsts: options.https ? { maxAge: 15_552_000, includeSubDomains: true } : false,
    // the UI loads nothing cross-origin; COEP would only break a Genesys embed
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
