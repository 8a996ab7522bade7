/**
 * AzureBlobRecordingStore: recordings in an Azure Blob Storage container (tested against Azurite). Upload is a single
 * Put Blob up to 256 MiB (several hours of call audio), for which the service computes the Content-MD5 itself; put()
 * compares that and the size with the local file before reporting success. Larger files go up in blocks and are
 * verified by size, with the MD5 recorded as a property.
 */
import {
  BlobServiceClient,
  RestError,
  type ContainerClient,
  type StoragePipelineOptions,
  type newPipeline,
} from '@azure/storage-blob';
import { fileMd5 } from './file-md5.js';
import {
  checkRecordingKey,
  contentTypeOf,
  objectName,
  resolveRange,
  type ByteRange,
  type RecordingPart,
  type RecordingRead,
  type RecordingStore,
  type RecordingStoreHealth,
  type StoredRecording,
} from './recording-store.js';

/** a TokenCredential (e.g. DefaultAzureCredential from @azure/identity) or a shared key credential */
export type BlobCredential = NonNullable<Parameters<typeof newPipeline>[0]>;

export type AzureBlobRecordingStoreOptions = (
  | { containerClient: ContainerClient }
  | { connectionString: string; container: string }
  /** e.g. https://<account>.blob.core.windows.net */
  | { accountUrl: string; credential: BlobCredential; container: string }
) & {
  /** SDK pipeline options; default: 2 tries per call (the RecordingUploader does the long retrying) */
  pipeline?: StoragePipelineOptions;
};

const DEFAULT_PIPELINE: StoragePipelineOptions = {
  retryOptions: { maxTries: 2, retryDelayInMs: 500, maxRetryDelayInMs: 2_000, tryTimeoutInMs: 10 * 60_000 },
};

const SINGLE_SHOT_MAX = 256 * 1024 * 1024;

function describe(error: unknown): string {
  if (error instanceof RestError) return `${error.statusCode ?? error.code ?? 'network'}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

export class AzureBlobRecordingStore implements RecordingStore {
  private readonly container: ContainerClient;
  private containerReady: Promise<unknown> | null = null;

  constructor(options: AzureBlobRecordingStoreOptions) {
    const pipeline = options.pipeline ?? DEFAULT_PIPELINE;
    if ('containerClient' in options) this.container = options.containerClient;
    else if ('connectionString' in options)
      this.container = BlobServiceClient.fromConnectionString(
        options.connectionString,
        pipeline,
      ).getContainerClient(options.container);
    else
      this.container = new BlobServiceClient(
        options.accountUrl,
        options.credential,
        pipeline,
      ).getContainerClient(options.container);
  }

  private ensureContainer(): Promise<unknown> {
    this.containerReady ??= this.container.createIfNotExists().catch((error: unknown) => {
      this.containerReady = null; // try again next time
      throw error;
    });
    return this.containerReady;
  }

  async put(localWavPath: string, localJsonPath: string | null, key: string): Promise<StoredRecording> {
    checkRecordingKey(key);
    await this.ensureContainer();
    const local = await fileMd5(localWavPath);
    const audio = this.container.getBlockBlobClient(objectName(key, 'audio'));
    await audio.uploadFile(localWavPath, {
      maxSingleShotSize: SINGLE_SHOT_MAX,
      blobHTTPHeaders: {
        blobContentType: contentTypeOf('audio'),
        // for block uploads the service computes no MD5: record ours; for single shot leave it to the service
        ...(local.bytes > SINGLE_SHOT_MAX ? { blobContentMD5: Buffer.from(local.md5, 'base64') } : {}),
      },
    });
    if (localJsonPath !== null)
      await this.container
        .getBlockBlobClient(objectName(key, 'sidecar'))
        .uploadFile(localJsonPath, { blobHTTPHeaders: { blobContentType: contentTypeOf('sidecar') } });
    const properties = await audio.getProperties();
    const remoteMd5 = properties.contentMD5 ? Buffer.from(properties.contentMD5).toString('base64') : null;
    if (properties.contentLength !== local.bytes)
      throw new Error(
        `recording ${key}: uploaded ${properties.contentLength} bytes, local file has ${local.bytes}`,
      );
    if (remoteMd5 !== null && remoteMd5 !== local.md5)
      throw new Error(`recording ${key}: uploaded MD5 ${remoteMd5} differs from local ${local.md5}`);
    return { uri: audio.url, bytes: local.bytes, md5: local.md5 };
  }

  async get(key: string, range?: ByteRange, part: RecordingPart = 'audio'): Promise<RecordingRead | null> {
    const blob = this.container.getBlobClient(objectName(key, part));
    let size: number;
    try {
      size = (await blob.getProperties()).contentLength ?? 0;
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return null;
      throw error;
    }
    const { start, end } = resolveRange(range, size);
    const response = await blob.download(start, size === 0 ? undefined : end - start + 1);
    const stream = response.readableStreamBody;
    if (stream === undefined) throw new Error(`recording ${key}: download returned no body`);
    return { stream: stream as RecordingRead['stream'], size, start, end, contentType: contentTypeOf(part) };
  }

  async exists(key: string, part: RecordingPart = 'audio'): Promise<boolean> {
    return this.container.getBlobClient(objectName(key, part)).exists();
  }

  /** Deletes both blobs with their snapshots (the account's soft-delete policy, if any, still applies). */
  async delete(key: string): Promise<boolean> {
    let found = false;
    for (const part of ['audio', 'sidecar'] as const) {
      const response = await this.container
        .getBlobClient(objectName(key, part))
        .deleteIfExists({ deleteSnapshots: 'include' });
      found ||= response.succeeded;
    }
    return found;
  }

  async health(): Promise<RecordingStoreHealth> {
    try {
      await this.ensureContainer();
      await this.container.getProperties();
      return { status: 'ok', backend: 'azure-blob', detail: null };
    } catch (error) {
      return {
        status: 'degraded',
        backend: 'azure-blob',
        detail: `Blob storage unreachable: ${describe(error)}`,
      };
    }
  }
}
