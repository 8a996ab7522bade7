// hookscribe on Azure, parity with the seed: Container Apps (server, assist worker, post-call transcription worker)
// with managed identity, a container registry azd pushes the image to, Key Vault for the AudioHook key/secret, API
// tokens and the PostgreSQL password (generated at the first deployment, see main.parameters.json), Azure AI Speech,
// Azure OpenAI, PostgreSQL flexible server, Azure Cache for Redis, Blob storage for recordings, Log Analytics.
// Deployed with `azd up` (see azure.yaml). Not deployed from the development machine (no Azure access there);
// `az bicep build` validates it.
targetScope = 'resourceGroup'

@description('Base name for all resources')
param name string = 'hookscribe'
param location string = resourceGroup().location
@description('Container image, e.g. myregistry.azurecr.io/hookscribe:0.1.0')
param image string
@secure()
@description('AudioHook API key Genesys sends (X-API-KEY); generated at the first deployment, kept in Key Vault')
param audiohookApiKey string
@secure()
@description('Seed of the generated AudioHook client secret (the secret is its base64); kept in Key Vault')
param audiohookClientSecretSeed string
@secure()
@description('Your own base64 AudioHook client secret instead of the generated one (azd env set AUDIOHOOK_CLIENT_SECRET)')
param audiohookClientSecret string = ''
@secure()
@description('REST API token(s), comma-separated; generated at the first deployment, kept in Key Vault')
param apiTokens string
@secure()
@description('Seed of the generated web-session signing secret (HOOKSCRIBE_SESSION_SECRET, Key Vault session-secret), shared by every replica')
param sessionSecretSeed string
@secure()
param postgresPassword string
param postgresUser string = 'hookscribe'
param minReplicas int = 2
param maxReplicas int = 10
@description('Channels a server replica transcribes live (HOOKSCRIBE_STT_LIVE_CHANNELS): Azure AI Speech concurrency quota / maxReplicas (S0 allows 100 concurrent recognitions by default)')
param liveChannelsPerReplica int = 10
@description('Concurrent AudioHook sessions per replica before the HTTP scale rule adds one: the calls it decodes live (2 channels each)')
param sessionsPerReplica int = liveChannelsPerReplica / 2
@description('Post-call transcription workers (hookscribe-stt), scaled on the Redis Streams job backlog')
param sttMaxReplicas int = 10
@description('Post-call jobs waiting per worker before KEDA adds one')
param sttJobsPerReplica int = 2
param deployOpenAi bool = true
@description('Who runs azd (set by azd): may read and change the generated secrets in Key Vault')
param principalId string = ''
@description('Transcription model deployed on the Azure OpenAI account for the realtime engine')
@allowed(['gpt-4o-transcribe', 'gpt-4o-mini-transcribe'])
param transcribeModel string = 'gpt-4o-transcribe'
param transcribeModelVersion string = '2025-03-20'
@description('GlobalStandard capacity of the transcription deployment, in thousands of tokens per minute')
param transcribeCapacity int = 100
@description('HOOKSCRIBE_STT_ENGINES: e.g. realtime,azure,embedded to make the gpt-4o-transcribe deployment the default')
param sttEngines string = 'azure,embedded'
@description('HOOKSCRIBE_STT_ENGINE_ALLOWLIST: engines a call may pick with customConfig {"sttEngine": "…"}')
param sttEngineAllowlist string = deployOpenAi ? 'realtime' : ''

var suffix = uniqueString(resourceGroup().id)
// azd provisions before it has built the image: the first revision runs this placeholder (port 80, no command)
var placeholderImage = startsWith(image, 'mcr.microsoft.com/azuredocs/containerapps-helloworld')
var clientSecret = empty(audiohookClientSecret) ? base64(audiohookClientSecretSeed) : audiohookClientSecret
var audiohookKeys = string({ '${audiohookApiKey}': clientSecret })
// every replica signs and checks web sessions with this: without it each would use its own generated secret and
// reject the sessions the others issued. Derived from the seed (≥ 32 characters whatever length azd generates).
var sessionSecret = base64('hookscribe-session:${sessionSecretSeed}')

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-id'
  location: location
}

resource logs 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: '${name}-logs-${suffix}'
  location: location
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv${suffix}'
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
  }
}

resource secretKeys 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'audiohook-keys'
  properties: { value: audiohookKeys }
}

// what the operator enters in the Genesys AudioHook integration (read them with `az keyvault secret show`); the
// seeds are read back by azd at every provision so the values stay the same (main.parameters.json)
resource secretApiKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'audiohook-api-key'
  properties: { value: audiohookApiKey }
}

resource secretClientSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'audiohook-client-secret'
  properties: { value: clientSecret }
}

resource secretClientSecretSeed 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'audiohook-client-secret-seed'
  properties: { value: audiohookClientSecretSeed }
}

resource secretSessionSecretSeed 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'session-secret-seed'
  properties: { value: sessionSecretSeed }
}

// read by the server at start (HOOKSCRIBE_KEY_VAULT_URL) as HOOKSCRIBE_SESSION_SECRET
resource secretSessionSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'session-secret'
  properties: { value: sessionSecret }
}

resource secretPostgresPassword 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'postgres-password'
  properties: { value: postgresPassword }
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: 'cr${suffix}'
  location: location
  sku: { name: 'Basic' }
  properties: { adminUserEnabled: false }
}

// AcrPull for the app identity: the container apps pull the image azd pushed
resource registryAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: registry
  name: guid(registry.id, identity.id, 'acr-pull')
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')
  }
}

resource secretTokens 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'api-tokens'
  properties: { value: apiTokens }
}

// Key Vault Secrets User for the app identity
resource vaultAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, 'kv-secrets-user')
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
  }
}

// Key Vault Secrets Officer for whoever deploys: azd reads the generated secrets back at the next provision, and the
// operator reads them (or sets their own) with `az keyvault secret`
resource vaultDeployerAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  scope: vault
  name: guid(vault.id, principalId, 'kv-secrets-officer')
  properties: {
    principalId: principalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: 'st${suffix}'
  location: location
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: { allowBlobPublicAccess: false, minimumTlsVersion: 'TLS1_2' }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-01-01' = {
  parent: storage
  name: 'default'
}

resource recordings 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-01-01' = {
  parent: blobService
  name: 'recordings'
}

// Storage Blob Data Contributor for the app identity
resource blobAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, identity.id, 'blob-contributor')
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  }
}

resource speech 'Microsoft.CognitiveServices/accounts@2023-05-01' = {
  name: '${name}-speech-${suffix}'
  location: location
  kind: 'SpeechServices'
  sku: { name: 'S0' }
  properties: { customSubDomainName: '${name}-speech-${suffix}' }
}

resource openai 'Microsoft.CognitiveServices/accounts@2023-05-01' = if (deployOpenAi) {
  name: '${name}-openai-${suffix}'
  location: location
  kind: 'OpenAI'
  sku: { name: 'S0' }
  properties: { customSubDomainName: '${name}-openai-${suffix}' }
}

resource chatDeployment 'Microsoft.CognitiveServices/accounts/deployments@2023-05-01' = if (deployOpenAi) {
  parent: openai
  name: 'gpt-4o-mini'
  sku: { name: 'Standard', capacity: 30 }
  properties: { model: { format: 'OpenAI', name: 'gpt-4o-mini', version: '2024-07-18' } }
}

// streamed transcription for the realtime engine (Realtime API, intent=transcription); one deployment operation at a
// time on an account, hence the dependsOn
resource transcribeDeployment 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = if (deployOpenAi) {
  parent: openai
  name: transcribeModel
  sku: { name: 'GlobalStandard', capacity: transcribeCapacity }
  properties: { model: { format: 'OpenAI', name: transcribeModel, version: transcribeModelVersion } }
  dependsOn: [chatDeployment]
}

// Cognitive Services User (Speech + OpenAI token auth, realtime engine included) for the app identity
resource aiAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: resourceGroup()
  name: guid(resourceGroup().id, identity.id, 'cognitive-user')
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'a97b65f3-24c7-4388-baec-2e87135dc908')
  }
}

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2023-06-01-preview' = {
  name: '${name}-pg-${suffix}'
  location: location
  sku: { name: 'Standard_B1ms', tier: 'Burstable' }
  properties: {
    version: '15'
    administratorLogin: postgresUser
    administratorLoginPassword: postgresPassword
    storage: { storageSizeGB: 32 }
  }
}

resource postgresDb 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2023-06-01-preview' = {
  parent: postgres
  name: 'hookscribe'
}

resource redis 'Microsoft.Cache/redis@2023-08-01' = {
  name: '${name}-redis-${suffix}'
  location: location
  properties: { sku: { name: 'Basic', family: 'C', capacity: 1 }, enableNonSslPort: false, minimumTlsVersion: '1.2' }
}

resource env 'Microsoft.App/managedEnvironments@2023-05-01' = {
  name: '${name}-env'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: { customerId: logs.properties.customerId, sharedKey: logs.listKeys().primarySharedKey }
    }
  }
}

var commonEnv = [
  { name: 'HOOKSCRIBE_KEY_VAULT_URL', value: vault.properties.vaultUri }
  { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
  { name: 'HOOKSCRIBE_STORE', value: 'postgres' }
  { name: 'HOOKSCRIBE_POSTGRES_URL', secretRef: 'postgres-url' }
  { name: 'HOOKSCRIBE_BUS', value: 'redis' }
  { name: 'HOOKSCRIBE_REDIS_URL', secretRef: 'redis-url' }
  { name: 'HOOKSCRIBE_RECORDINGS', value: 'azure-blob' }
  { name: 'HOOKSCRIBE_AZURE_STORAGE_ACCOUNT_URL', value: storage.properties.primaryEndpoints.blob }
  { name: 'HOOKSCRIBE_AZURE_STORAGE_CONTAINER', value: 'recordings' }
  { name: 'HOOKSCRIBE_STT_ENGINES', value: sttEngines }
  { name: 'HOOKSCRIBE_STT_ENGINE_ALLOWLIST', value: sttEngineAllowlist }
  // the realtime engine on the transcription deployment, Entra ID tokens through the managed identity: no key
  { name: 'HOOKSCRIBE_REALTIME_ENDPOINT', value: deployOpenAi ? openai.properties.endpoint : '' }
  { name: 'HOOKSCRIBE_REALTIME_DEPLOYMENT', value: transcribeModel }
  { name: 'HOOKSCRIBE_REALTIME_MODEL', value: transcribeModel }
  { name: 'HOOKSCRIBE_REALTIME_AUTH', value: 'entra' }
  { name: 'HOOKSCRIBE_AZURE_SPEECH_REGION', value: location }
  // Entra ID tokens through the managed identity (Cognitive Services User above), renewed by the server: no key
  { name: 'HOOKSCRIBE_AZURE_SPEECH_RESOURCE_ID', value: speech.id }
  { name: 'HOOKSCRIBE_LLM_URL', value: deployOpenAi ? openai.properties.endpoint : '' }
  { name: 'HOOKSCRIBE_LLM_DEPLOYMENT', value: 'gpt-4o-mini' }
  { name: 'HOOKSCRIBE_LLM_KEY', secretRef: 'llm-key' }
  { name: 'HOOKSCRIBE_LLM_API_VERSION', value: '2024-10-21' }
  { name: 'HOOKSCRIBE_ASSIST', value: deployOpenAi ? 'llm' : 'local' }
  // the assist container app runs the workers; servers only publish transcripts
  { name: 'HOOKSCRIBE_ASSIST_IN_PROCESS', value: 'false' }
  // calls beyond live capacity are transcribed after the call by the stt container app, jobs on Redis Streams
  { name: 'HOOKSCRIBE_STT_LIVE_CHANNELS', value: string(liveChannelsPerReplica) }
  { name: 'HOOKSCRIBE_STT_JOBS', value: 'redis' }
  { name: 'HOOKSCRIBE_STT_WORKER_IN_PROCESS', value: 'false' }
]

var registries = [{ server: registry.properties.loginServer, identity: identity.id }]

var appSecrets = [
  { name: 'postgres-url', value: 'postgres://${postgresUser}:${postgresPassword}@${postgres.properties.fullyQualifiedDomainName}:5432/hookscribe?sslmode=require' }
  { name: 'redis-url', value: 'rediss://:${redis.listKeys().primaryKey}@${redis.properties.hostName}:6380' }
  { name: 'llm-key', value: deployOpenAi ? openai.listKeys().key1 : 'unused' }
  { name: 'redis-password', value: redis.listKeys().primaryKey }
]

resource server 'Microsoft.App/containerApps@2023-05-01' = {
  name: name
  location: location
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identity.id}': {} } }
  tags: { 'azd-service-name': 'server' }
  properties: {
    managedEnvironmentId: env.id
    configuration: {
      ingress: { external: true, targetPort: placeholderImage ? 80 : 8080, transport: 'http' }
      secrets: appSecrets
      registries: registries
    }
    template: {
      containers: [
        {
          name: 'hookscribe'
          image: image
          resources: { cpu: json('1.0'), memory: '2Gi' }
          env: commonEnv
          probes: placeholderImage ? [] : [
            { type: 'Readiness', httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 }
            { type: 'Liveness', httpGet: { path: '/health', port: 8080 }, periodSeconds: 10 }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          { name: 'sessions', http: { metadata: { concurrentRequests: string(sessionsPerReplica) } } }
        ]
      }
    }
  }
}

resource assist 'Microsoft.App/containerApps@2023-05-01' = {
  name: '${name}-assist'
  location: location
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identity.id}': {} } }
  tags: { 'azd-service-name': 'assist' }
  properties: {
    managedEnvironmentId: env.id
    configuration: { secrets: appSecrets, registries: registries }
    template: {
      containers: [
        {
          name: 'assist'
          image: image
          command: placeholderImage ? [] : ['node', 'packages/assist/dist/cli.js']
          resources: { cpu: json('0.5'), memory: '1Gi' }
          env: commonEnv
        }
      ]
      scale: { minReplicas: 1, maxReplicas: 5 }
    }
  }
}

// post-call transcription (hookscribe-stt): scaled by KEDA on the Redis Streams job backlog, to zero when idle
resource stt 'Microsoft.App/containerApps@2023-05-01' = {
  name: '${name}-stt'
  location: location
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identity.id}': {} } }
  tags: { 'azd-service-name': 'stt' }
  properties: {
    managedEnvironmentId: env.id
    configuration: { secrets: appSecrets, registries: registries }
    template: {
      containers: [
        {
          name: 'stt'
          image: image
          command: placeholderImage ? [] : ['node', 'packages/server/dist/stt-worker.js']
          // the embedded engine decodes a job's two channels at once: one core each
          resources: { cpu: json('2.0'), memory: '4Gi' }
          env: commonEnv
        }
      ]
      scale: {
        minReplicas: 0
        maxReplicas: sttMaxReplicas
        // XLEN of each job stream = jobs queued or running (finished ones are deleted); works on Redis 6
        rules: [for kind in ['recover', 'accurate']: {
          name: 'stt-${kind}-backlog'
          custom: {
            type: 'redis-streams'
            metadata: {
              address: '${redis.properties.hostName}:6380'
              enableTLS: 'true'
              stream: '{hookscribe-stt}:jobs:${kind}'
              consumerGroup: 'stt'
              streamLength: string(sttJobsPerReplica)
            }
            auth: [{ secretRef: 'redis-password', triggerParameter: 'password' }]
          }
        }]
      }
    }
  }
}

output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.properties.loginServer
output AZURE_KEY_VAULT_NAME string = vault.name
output AUDIOHOOK_URI string = 'wss://${server.properties.configuration.ingress.fqdn}/api/v1/audiohook/ws'
output TRANSCRIPTION_URI string = 'wss://${server.properties.configuration.ingress.fqdn}/api/v1/voicetranscription/ws'
output KEY_VAULT_URL string = vault.properties.vaultUri
