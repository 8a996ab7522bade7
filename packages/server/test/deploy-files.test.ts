/**
 * The deployment files cannot be run here (no Docker engine, no cluster, no Azure). What can be checked is checked:
 * they parse, every hookscribe variable they set is one the code reads, and every program they start exists in the
 * build. (docs/operations.md says which parts were never run.)
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { speechConfigFromEnv } from '@hookscribe/speech';
import { parse } from 'yaml';
import { KEY_VAULT_SECRETS } from '../src/secrets/key-vault-secrets.js';

const root = resolve(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return name === 'node_modules' || name === 'dist' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every HOOKSCRIBE_* name that appears in the packages' sources. */
const knownVariables = new Set(
  ['audiohook', 'speech', 'conversations', 'assist', 'server', 'sim']
    .flatMap((p) => sourceFiles(join(root, 'packages', p, 'src')))
    .flatMap((file) => readFileSync(file, 'utf8').match(/HOOKSCRIBE_[A-Z0-9_]+/g) ?? []),
);

const variablesIn = (text: string) => [...new Set(text.match(/HOOKSCRIBE_[A-Z0-9_]+/g) ?? [])];

describe('deployment files', () => {
  it('compose.yaml parses and starts the server, the assist worker, Redis and PostgreSQL', () => {
    const compose = parse(read('deploy/compose.yaml')) as {
      services: Record<string, { command?: string[]; environment?: Record<string, string> }>;
    };
    expect(Object.keys(compose.services).sort()).toEqual([
      'assist',
      'hookscribe-1',
      'hookscribe-2',
      'postgres',
      'redis',
      'stt',
    ]);
    const assistCommand = compose.services.assist?.command ?? [];
    expect(existsSync(join(root, 'packages/assist/src/cli.ts'))).toBe(true);
    expect(assistCommand.join(' ')).toContain('packages/assist/dist/cli.js');
    expect(compose.services.stt?.command?.join(' ')).toContain('packages/server/dist/stt-worker.js');
    // the two servers share one web-session secret, and compose refuses to start without it
    for (const server of ['hookscribe-1', 'hookscribe-2'])
      expect(compose.services[server]?.environment?.HOOKSCRIBE_SESSION_SECRET).toMatch(
        /^\$\{HOOKSCRIBE_SESSION_SECRET:\?/,
      );
  });

  it('every program a deployment file starts is built from a source in the tree', () => {
    const files = [
      'deploy/compose.yaml',
      'deploy/azure/main.bicep',
      ...readdirSync(join(root, 'deploy/helm/hookscribe/templates')).map(
        (f) => `deploy/helm/hookscribe/templates/${f}`,
      ),
    ];
    const programs = files.flatMap((f) => read(f).match(/packages\/[a-z]+\/dist\/[a-z-]+\.js/g) ?? []);
    expect(programs).toEqual(expect.arrayContaining(['packages/server/dist/stt-worker.js']));
    for (const program of programs) {
      const source = program.replace('/dist/', '/src/').replace(/\.js$/, '.ts');
      expect(existsSync(join(root, source)), source).toBe(true);
    }
  });

  describe('azd (azure.yaml + deploy/azure)', () => {
    const bicep = read('deploy/azure/main.bicep');
    const parameters = (
      JSON.parse(read('deploy/azure/main.parameters.json')) as {
        parameters: Record<string, { value: string }>;
      }
    ).parameters;
    /** `param name type [= default]` lines of main.bicep */
    const params = [...bicep.matchAll(/^param (\w+) \w+( = .*)?$/gm)].map((m) => ({
      name: m[1]!,
      hasDefault: !!m[2],
    }));

    it('provisions a container registry and outputs AZURE_CONTAINER_REGISTRY_ENDPOINT for azd deploy', () => {
      expect(bicep).toMatch(/resource registry 'Microsoft\.ContainerRegistry\/registries@/);
      expect(bicep).toMatch(
        /^output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry\.properties\.loginServer$/m,
      );
      // the apps pull with the managed identity, which holds AcrPull on the registry
      expect(bicep).toContain("'7f951dda-4ed3-4680-a7ca-43fe172d538d'");
      const apps = bicep.match(/resource \w+ 'Microsoft\.App\/containerApps@/g) ?? [];
      expect((bicep.match(/registries: registries/g) ?? []).length).toBe(apps.length);
    });

    it('every azd service is a container app tagged with its name', () => {
      const azure = parse(read('azure.yaml')) as { services: Record<string, { host: string }> };
      expect(Object.keys(azure.services).sort()).toEqual(['assist', 'server', 'stt']);
      for (const service of Object.keys(azure.services))
        expect(bicep).toContain(`tags: { 'azd-service-name': '${service}' }`);
    });

    it('needs nothing typed in: every parameter without a default gets a value, secrets are generated into Key Vault', () => {
      for (const param of params.filter((p) => !p.hasDefault))
        expect(parameters[param.name]?.value, param.name).toBeTruthy();
      for (const name of Object.keys(parameters)) expect(params.map((p) => p.name)).toContain(name);
      for (const generated of [
        'audiohookApiKey',
        'audiohookClientSecretSeed',
        'apiTokens',
        'sessionSecretSeed',
        'postgresPassword',
      ]) {
        const secret = /^\$\(secretOrRandomPassword \$\{AZURE_KEY_VAULT_NAME\} ([a-z-]+)\)$/.exec(
          parameters[generated]!.value,
        );
        expect(secret, generated).not.toBeNull();
        // stored back under the name azd reads it from, so the value stays the same at the next provision
        expect(bicep).toContain(`name: '${secret![1]}'`);
      }
      expect(bicep).toMatch(/^output AZURE_KEY_VAULT_NAME string = vault\.name$/m);
      // the Genesys-facing values are in the vault for the operator to read
      expect(bicep).toContain("name: 'audiohook-api-key'");
      expect(bicep).toContain("name: 'audiohook-client-secret'");
      // one web-session secret for every replica, under the Key Vault name the server reads at start
      expect(KEY_VAULT_SECRETS['session-secret']).toBe('HOOKSCRIBE_SESSION_SECRET');
      expect(bicep).toContain("name: 'session-secret'");
      expect(bicep).toMatch(/^var sessionSecret = base64\('hookscribe-session:\$\{sessionSecretSeed\}'\)$/m);
    });

    it('scales servers on the calls they decode live and the stt workers on the job backlog', () => {
      expect(bicep).toMatch(/^param sessionsPerReplica int = liveChannelsPerReplica \/ 2$/m);
      expect(bicep).toContain(
        "{ name: 'HOOKSCRIBE_STT_LIVE_CHANNELS', value: string(liveChannelsPerReplica) }",
      );
      expect(bicep).toContain("type: 'redis-streams'");
      expect(bicep).toContain("stream: '{hookscribe-stt}:jobs:${kind}'");
    });
  });

  it('the Helm values parse and the chart has readiness/liveness probes, a PDB and a long grace period', () => {
    const values = parse(read('deploy/helm/hookscribe/values.yaml')) as Record<string, unknown>;
    expect(values.terminationGracePeriodSeconds).toBeGreaterThan(values.drainTimeoutSeconds as number);
    const statefulSet = read('deploy/helm/hookscribe/templates/statefulset.yaml');
    expect(statefulSet).toContain('readinessProbe');
    expect(statefulSet).toContain('path: /ready');
    expect(statefulSet).toContain('livenessProbe');
    expect(existsSync(join(root, 'deploy/helm/hookscribe/templates/pdb.yaml'))).toBe(true);
    const stt = read('deploy/helm/hookscribe/templates/stt.yaml');
    expect(stt).toContain('type: redis-streams');
    expect(stt).toContain('"{hookscribe-stt}:jobs:{{ $kind }}"');
    expect((values.env as Record<string, string>).HOOKSCRIBE_STT_LIVE_CHANNELS).toMatch(/^\d+$/);
  });

  it('the Dockerfile runs as non-root, installs pocketsphinx and starts the built server', () => {
    const dockerfile = read('deploy/Dockerfile');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain('libpocketsphinx3 pocketsphinx-en-us');
    // the accurate pass's speaker adaptation runs these tools (the runtime list of install-system-deps.sh)
    expect(dockerfile).toContain('sphinxtrain sphinxbase-utils pocketsphinx');
    expect(dockerfile).toContain('packages/server/dist/main.js');
  });

  it('main.bicep deploys gpt-4o-transcribe on its Azure OpenAI account and points the realtime engine at it through the managed identity', () => {
    const bicep = read('deploy/azure/main.bicep');
    expect(bicep).toMatch(
      /resource transcribeDeployment 'Microsoft\.CognitiveServices\/accounts\/deployments@[\d-]+' = if \(deployOpenAi\) \{\n {2}parent: openai\n {2}name: transcribeModel\n {2}sku: \{ name: 'GlobalStandard', capacity: transcribeCapacity \}/,
    );
    expect(bicep).toMatch(/param transcribeModel string = 'gpt-4o-transcribe'/);
    // the settings the container gets, with the account's endpoint as Azure outputs it
    const env: Record<string, string> = {};
    for (const [, key, value] of bicep.matchAll(/\{ name: '(HOOKSCRIBE_[A-Z_]+)', value: ([^}]+?) \}/g)) {
      const literal = /^'(.*)'$/.exec(value!)?.[1];
      if (literal !== undefined) env[key!] = literal;
    }
    expect(bicep).toContain(
      "{ name: 'HOOKSCRIBE_REALTIME_ENDPOINT', value: deployOpenAi ? openai.properties.endpoint : '' }",
    );
    expect(bicep).toContain("{ name: 'HOOKSCRIBE_REALTIME_DEPLOYMENT', value: transcribeModel }");
    expect(bicep).not.toMatch(/HOOKSCRIBE_REALTIME_KEY/); // no key: Entra ID tokens (Cognitive Services User)
    expect(bicep).toMatch(/roleDefinitions', 'a97b65f3-24c7-4388-baec-2e87135dc908'/);
    const config = speechConfigFromEnv({
      ...env,
      HOOKSCRIBE_STT_ENGINES: 'realtime,embedded',
      HOOKSCRIBE_STT_ENGINE_ALLOWLIST: 'realtime',
      HOOKSCRIBE_REALTIME_ENDPOINT: 'https://hookscribe-openai-abc.openai.azure.com/',
      HOOKSCRIBE_REALTIME_DEPLOYMENT: 'gpt-4o-transcribe',
      HOOKSCRIBE_REALTIME_MODEL: 'gpt-4o-transcribe',
    });
    expect(env.HOOKSCRIBE_REALTIME_AUTH).toBe('entra');
    expect(config.realtime).toMatchObject({ auth: 'entra', key: undefined, model: 'gpt-4o-transcribe' });
    expect(config.realtime!.url).toMatch(
      /^wss:\/\/hookscribe-openai-abc\.openai\.azure\.com\/openai\/realtime\?api-version=[\d-]+(-preview)?&intent=transcription&deployment=gpt-4o-transcribe$/,
    );
  });

  it.each([
    'deploy/compose.yaml',
    'deploy/helm/hookscribe/values.yaml',
    'deploy/azure/main.bicep',
    '.env.example',
  ])('every HOOKSCRIBE_ variable set in %s is read by the code', (file) => {
    const unknown = variablesIn(read(file)).filter((name) => !knownVariables.has(name));
    expect(unknown).toEqual([]);
  });
});

describe('configuration reference', () => {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => read(join('docs', f)))
    .join('\n');
  const envExample = read('.env.example');
  // names built by concatenation in code (e.g. a prefix) are not variables of their own
  const variables = [...knownVariables].filter((name) => !name.endsWith('_'));

  it('every variable the code reads is in .env.example', () => {
    expect(variables.filter((name) => !envExample.includes(name))).toEqual([]);
  });

  it('every variable the code reads is documented under docs/', () => {
    expect(variables.filter((name) => !docs.includes(name))).toEqual([]);
  });
});
