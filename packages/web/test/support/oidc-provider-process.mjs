#!/usr/bin/env node
/**
 * A real OpenID Connect provider (the `oidc-provider` package) for the sign-in tests, run as a child process on
 * 127.0.0.1 and a random port. Configuration comes as JSON in OIDC_TEST_CONFIG:
 *   { clients: [...oidc-provider client metadata], accounts: { <login>: { name, roles } }, serviceRoles: { <client id>: [roles] } }
 * Login is the provider's development interaction (any password; the login name picks the account). Consent is
 * granted automatically, as for a first-party application. Client-credentials tokens are JWTs for the audience
 * api://hookscribe, carrying the roles listed for the client in serviceRoles. Prints `listening <issuer>`.
 */
/* global console, process */
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG ?? '{}');
const API_AUDIENCE = 'api://hookscribe';

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: config.clients ?? [],
    cookies: { keys: ['test-cookie-key-only-for-this-provider'] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['name', 'roles'], email: ['email'] },
    // scope claims in the ID token itself (the default sends them to userinfo only)
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // sign out without the confirmation page, straight back to the application
        logoutSource: async (ctx, form) => {
          ctx.body = `<!doctype html><html><body>${form}<script>document.forms[0].submit()</script></body></html>`;
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: (ctx, client) =>
          client?.grantTypes?.includes('client_credentials') ? API_AUDIENCE : undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'api', audience: API_AUDIENCE, accessTokenFormat: 'jwt' }),
      },
    },
    extraTokenClaims: (ctx, token) => {
      const roles = config.serviceRoles?.[token.clientId];
      return roles ? { roles } : undefined;
    },
    async findAccount(ctx, id) {
      const account = config.accounts?.[id];
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          name: account.name,
          roles: account.roles,
          email: `${id}@example.test`,
        }),
      };
    },
    async loadExistingGrant(ctx) {
      const existing =
        ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile email');
      await grant.save();
      return grant;
    },
  });
  provider.on('server_error', (ctx, error) => console.error(`provider server_error: ${error.message}`));
  server.on('request', provider.callback());
  console.log(`listening ${issuer}`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
