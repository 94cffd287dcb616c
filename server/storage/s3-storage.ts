// Media storage on any S3-compatible store (AWS S3, MinIO, Ceph RGW): multipart uploads, presigned GETs.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import pLimit, { type LimitFunction } from 'p-limit';
import type { S3Config } from '../config.ts';
import { assertValidKey, contentDisposition, type MediaStorage } from './media-storage.ts';

/**
 * Memory a process spends on copies into the store, however many uploads finish at once (issue
 * 17: 50 uploads of 20 MB took a web process from 286 MB to 1.8 GB). A file up to one part is
 * streamed from disk in one request, buffering nothing; a larger one goes in parts, each buffered
 * whole, `PARTS_IN_FLIGHT` at a time, and at most `TRANSFERS_AT_ONCE` such copies run at once per
 * process, so no more than 8 MiB × 2 × 4 = 64 MiB is held. The others wait their turn (the
 * client's last request waits with them: back-pressure, not memory).
 */
const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;
const TRANSFERS_AT_ONCE = 4;

function s3Client(config: S3Config): S3Client {
  const clientConfig: S3ClientConfig = {
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    // Only checksums the store asks for: S3-compatible stores differ in what they accept.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (config.accessKeyId && config.secretAccessKey) {
    clientConfig.credentials = { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey };
  }
  return new S3Client(clientConfig);
}

type Bucket = { client: S3Client; Bucket: string };

/** A small file in one streamed PUT; a large one in parts, a few at a time (see above). */
async function putObject(
  { client, Bucket }: Bucket,
  transfers: LimitFunction,
  key: string,
  localPath: string,
  contentType: string,
): Promise<void> {
  const { size } = await stat(localPath);
  if (size <= PART_SIZE) {
    await client.send(
      new PutObjectCommand({
        Bucket,
        Key: key,
        Body: createReadStream(localPath),
        ContentLength: size,
        ContentType: contentType,
      }),
    );
    return;
  }
  await transfers(async () => {
    const upload = new Upload({
      client,
      params: { Bucket, Key: key, Body: createReadStream(localPath), ContentType: contentType },
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    await upload.done();
  });
}

/** Every key under a prefix, page after page, sorted. */
async function listKeys({ client, Bucket }: Bucket, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }));
    keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])));
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return keys.sort();
}

export function createS3Storage(config: S3Config): MediaStorage {
  const client = s3Client(config);
  const Bucket = config.bucket;
  const bucket = { client, Bucket };
  const transfers = pLimit(TRANSFERS_AT_ONCE);

  return {
    kind: 's3',
    async putFile(key, localPath, contentType) {
      assertValidKey(key);
      await putObject(bucket, transfers, key, localPath, contentType);
    },
    async read(key, range) {
      assertValidKey(key);
      const result = await client.send(
        new GetObjectCommand({ Bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
      if (!(result.Body instanceof Readable)) throw new Error(`No body for ${key}`);
      return result.Body;
    },
    async size(key) {
      assertValidKey(key);
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return head.ContentLength ?? 0;
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404) return null;
        throw error;
      }
    },
    async remove(key) {
      assertValidKey(key);
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },
    list: (prefix) => listKeys(bucket, prefix),
    async directUrl(key, options) {
      assertValidKey(key);
      if (!config.directDownloads) return null;
      const command = new GetObjectCommand({
        Bucket,
        Key: key,
        ResponseContentType: options.contentType,
        ResponseContentDisposition: contentDisposition(options.disposition, options.fileName),
      });
      return getSignedUrl(client, command, { expiresIn: options.expiresInSeconds });
    },
  };
}
