/**
 * The OpenID Connect side of access, on `openid-client` (discovery, authorization code + PKCE, token exchange and
 * ID token validation) and `jose` (bearer JWT validation against the issuer's JWKS). Works with any issuer that
 * publishes discovery metadata (Entra ID, Okta, Keycloak, Auth0, …). Discovery runs on first use and is retried on the
 * next request after a failure, so an identity provider that is down at start does not stop the server: sign-in and
 * bearer JWTs answer 503 meanwhile, static tokens keep working.
 */
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Role } from '../api/route-access.js';
import type { OidcSettings } from './access-config.js';
import type { Principal } from './principal.js';
import { RoleMapping } from './role-mapping.js';

export class IdentityProviderUnavailableError extends Error {
  override name = 'IdentityProviderUnavailableError';
}

/** What an authorization request leaves in the browser (signed cookie) for the callback to check. */
export interface PendingSignIn {
  verifier: string;
  state: string;
  nonce: string;
  returnTo: string;
}

export interface SignedIn {
  subject: string;
  name?: string;
  /** null: authenticated, but no role maps to any of the claims */
  role: Role | null;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}

function displayName(claims: Record<string, unknown>): string | undefined {
  for (const key of ['name', 'preferred_username', 'email']) {
    const value = claims[key];
    if (typeof value === 'string' && value) return value.slice(0, 200);
  }
  return undefined;
}

export class OidcIdentity {
  readonly roles: RoleMapping;
  private discovered: Promise<oidc.Configuration> | null = null;
  private jwks: ReturnType<typeof createRemoteJWKSet> | null = null;

  constructor(
    readonly settings: OidcSettings,
    /** <public url>/api/auth/callback */
    readonly redirectUri: string,
  ) {
    this.roles = new RoleMapping({
      claim: settings.roleClaim,
      map: settings.roleMap,
      defaultRole: settings.defaultRole,
    });
  }

  private configuration(): Promise<oidc.Configuration> {
    this.discovered ??= oidc
      .discovery(
        new URL(this.settings.issuer),
        this.settings.clientId,
        this.settings.clientSecret ?? undefined,
        this.settings.clientSecret ? oidc.ClientSecretBasic(this.settings.clientSecret) : oidc.None(),
        {
          timeout: 10,
          ...(this.settings.allowInsecureIssuer ? { execute: [oidc.allowInsecureRequests] } : {}),
        },
      )
      .catch((error: unknown) => {
        this.discovered = null; // the next request tries again
        throw new IdentityProviderUnavailableError(
          `OIDC discovery of ${this.settings.issuer} failed: ${(error as Error).message}`,
          { cause: error },
        );
      });
    return this.discovered;
  }

  /** The identity provider's authorization URL for a new sign-in, and what the callback must check. */
  async beginSignIn(returnTo: string): Promise<{ url: string; pending: PendingSignIn }> {
    const config = await this.configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const pending: PendingSignIn = {
      verifier,
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      returnTo,
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: this.settings.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /** Exchanges the code (PKCE verifier, state and nonce checked) and reads who signed in from the ID token. */
  async completeSignIn(callbackUrl: URL, pending: PendingSignIn): Promise<SignedIn> {
    const config = await this.configuration();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    let claims: Record<string, unknown> = { ...tokens.claims()! };
    // some providers put groups/roles only in userinfo
    if (!(this.settings.roleClaim.split('.')[0]! in claims) && config.serverMetadata().userinfo_endpoint) {
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub));
      claims = { ...userinfo, ...claims };
    }
    const name = displayName(claims);
    return { subject: String(claims.sub), role: this.roles.roleOf(claims), ...(name ? { name } : {}) };
  }

  /** RP-initiated logout at the identity provider, if it offers one (client_id, no ID token in the URL). */
  async endSessionUrl(postLogoutRedirectUri: string): Promise<string | null> {
    const config = await this.configuration().catch(() => null);
    if (!config?.serverMetadata().end_session_endpoint) return null;
    return oidc
      .buildEndSessionUrl(config, {
        client_id: this.settings.clientId,
        post_logout_redirect_uri: postLogoutRedirectUri,
      })
      .toString();
  }

  /**
   * Validates a bearer JWT: signature against the issuer's JWKS (fetched and cached by jose, refreshed on an unknown
   * key id), issuer, audience, expiry. Returns null for any invalid token.
   */
  async verifyBearer(token: string): Promise<Principal | null> {
    const config = await this.configuration();
    const metadata = config.serverMetadata();
    if (!metadata.jwks_uri) throw new IdentityProviderUnavailableError('the issuer publishes no jwks_uri');
    this.jwks ??= createRemoteJWKSet(new URL(metadata.jwks_uri));
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: metadata.issuer,
        audience: this.settings.audience,
        clockTolerance: 5,
      }));
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      // the JWKS endpoint being unreachable is the provider's fault, not the caller's
      if (code === 'ERR_JWKS_TIMEOUT' || (error as Error).name === 'TypeError')
        throw new IdentityProviderUnavailableError(`JWKS fetch failed: ${(error as Error).message}`);
      return null;
    }
    const role = this.roles.roleOf(payload as Record<string, unknown>);
    if (!payload.sub || role === null) return null;
    const name = displayName(payload as Record<string, unknown>);
    return { subject: payload.sub, role, method: 'jwt', ...(name ? { name } : {}) };
  }
}
