#!/usr/bin/env node
/**
 * hookscribe entry point: `node packages/server/dist/main.js` (or the `hookscribe` bin).
 * Exit codes: 0 after a graceful drain, 1 on a start-up failure, 2 on invalid configuration.
 * SIGTERM/SIGINT drain: readiness turns 503, new upgrades get 503, live calls may finish up to
 * HOOKSCRIBE_DRAIN_TIMEOUT_MS, then get `disconnect` (completed); recordings are finalised; exit 0.
 * A second signal skips the wait for live calls (they are still disconnected properly).
 * Configuration: environment, then `.env` in the working directory, then the HOOKSCRIBE_CONFIG file.
 */
import { buildApp } from './app.js';
import { DemoCaller, demoCredentials } from './demo/demo-caller.js';
import { accessSettingsFromEnv } from './access/access-config.js';
import { ConfigError, loadConfig, type ServerConfig } from './config.js';
import { createLogger } from './logger.js';
import { ServerMetrics } from './metrics.js';
import { startPipelineServices } from './pipeline/pipeline-services.js';
import { privacyConfigFromEnv } from './pipeline/privacy-services.js';
import { KeyVaultSecretsError, loadKeyVaultSecrets } from './secrets/key-vault-secrets.js';

/** `.env` in the working directory, if present; variables already in the environment win. */
function loadDotEnv(): void {
  try {
    process.loadEnvFile('.env');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

async function loadConfigOrExit(): Promise<ServerConfig> {
  try {
    loadDotEnv();
    // secrets from Azure Key Vault (HOOKSCRIBE_KEY_VAULT_URL) become variables before validation
    await loadKeyVaultSecrets(process.env);
    const config = loadConfig();
    accessSettingsFromEnv(process.env); // validated here so a bad OIDC or token setting exits 2 like the rest
    privacyConfigFromEnv(process.env); // retention, audio redaction, secure pause, recording keys
    return config;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof KeyVaultSecretsError) {
      process.stderr.write(`hookscribe: ${err.message}\nSee docs/configuration.md for every setting.\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = await loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const metrics = new ServerMetrics();
  const services = await startPipelineServices(config, process.env, logger, metrics);
  const app = await buildApp(config, {
    logger,
    metrics,
    subscribers: services.subscribers,
    plugins: services.plugins,
    supportedLanguages: services.supportedLanguages,
    onRecordingStarted: (call) => services.recordingStarted(call),
    onRecordingFinalized: (call, recording) =>
      services.recordingFinalised(call, { wavPath: recording.wavPath, jsonPath: recording.jsonPath }),
    dependencyHealth: () => services.health(),
    onStopped: () => services.close(),
  });

  if (app.devKey) {
    // printed for the operator, outside the JSON log stream (logs never carry secrets)
    process.stderr.write(
      [
        '',
        'hookscribe: HOOKSCRIBE_AUDIOHOOK_KEYS is not set; using the development AudioHook credentials',
        `  (${app.devKey.created ? 'generated into' : 'read from'} ${app.devKey.path})`,
        `  API key:       ${app.devKey.apiKey}`,
        `  Client secret: ${app.devKey.secret}`,
        '',
        '',
      ].join('\n'),
    );
  }

  if (services.devApiToken) {
    process.stderr.write(
      [
        'hookscribe: HOOKSCRIBE_API_TOKENS is not set; development API token (admin) for the REST API and the web UI:',
        `  ${services.devApiToken}`,
        '',
        '',
      ].join('\n'),
    );
  }

  services.startDelivery();
  const { url, port } = await app.start();
  logger.info(
    { url, dataDir: config.dataDir, recording: config.recording, configFile: config.configFile },
    'hookscribe listening',
  );

  // HOOKSCRIBE_DEMO=1: the bundled sample calls stream through our own Transcription Connector endpoint in a loop
  const demo =
    process.env.HOOKSCRIBE_DEMO === '1'
      ? new DemoCaller({
          url: `ws://127.0.0.1:${port}/api/v1/voicetranscription/ws`,
          ...demoCredentials(config.audiohookKeys, app.devKey),
          onError: (file, err) => logger.warn({ err, file }, 'demo call failed'),
          onCallEnded: (file, result) => {
            if (result.ok) logger.info({ file, sessionId: result.sessionId }, 'demo call completed');
            else logger.warn({ file, violations: result.violations }, 'demo call failed');
          },
        })
      : null;
  if (demo) {
    demo.start();
    logger.info('demo mode: streaming sample calls in a loop');
  }

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: disconnecting live sessions now');
      app.hurryDrain();
      return;
    }
    logger.info({ signal }, 'shutting down: draining');
    Promise.all([demo?.stop(), app.stop()]).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.fatal({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((err: unknown) => {
  process.stderr.write(`hookscribe: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
