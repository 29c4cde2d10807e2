import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { DomainError, ErrorCode, validationFailed } from '@custodian/contracts';
import { objectKey, ObjectStorage, type StoredObject } from '@custodian/storage';
import busboy from 'busboy';
import type { Request } from 'express';

export interface Upload {
  stored: StoredObject;
  fields: Record<string, string>;
}

function cutShort(): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, 'the request ended before its body did');
}

function tooLarge(limit: number): DomainError {
  return new DomainError(ErrorCode.PayloadTooLarge, `the file is larger than the upload limit of ${limit} bytes`);
}

/**
 * Streams an uploaded CSV straight to the imports bucket, never holding it in memory: a
 * multipart/form-data body (one `file` part plus text fields) or a raw text/csv body.
 */
export async function receiveUpload(req: Request, storage: ObjectStorage, workspaceId: string, limit: number): Promise<Upload> {
  const key = objectKey(workspaceId, 'imports', randomUUID(), 'csv');
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('text/csv')) {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) throw tooLarge(limit);
    let seen = 0;
    const body = new PassThrough();
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit) body.destroy(tooLarge(limit));
    });
    // A client that goes away mid-body ends the upload (and its multipart upload) instead of leaving it waiting.
    req.on('close', () => {
      if (!req.complete) body.destroy(cutShort());
    });
    req.pipe(body);
    try {
      return { stored: await storage.upload('imports', key, body), fields: {} };
    } catch (err) {
      if ((err as { cause?: unknown }).cause instanceof DomainError) throw (err as { cause: DomainError }).cause;
      throw err;
    }
  }
  if (!type.startsWith('multipart/form-data')) {
    throw new DomainError(ErrorCode.UnsupportedMediaType, 'send the CSV as multipart/form-data (part "file"), as text/csv, or JSON with an objectKey');
  }
  return new Promise<Upload>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let upload: Promise<StoredObject> | undefined;
    let failure: Error | undefined;
    let body: PassThrough | undefined;
    // Whatever ends the request early also ends the file's upload, so it is aborted rather than left waiting.
    const abandon = (err: Error) => {
      failure ??= err;
      body?.destroy(failure);
    };
    req.on('close', () => {
      if (!req.complete) abandon(cutShort());
    });
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: limit, files: 1, fields: 20, fieldSize: 64 * 1024 } });
    } catch (err) {
      reject(new DomainError(ErrorCode.ValidationFailed, `malformed multipart body: ${(err as Error).message}`));
      return;
    }
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, file) => {
      if (name !== 'file') {
        failure = new DomainError(ErrorCode.ValidationFailed, `unexpected file part "${name}"; send the CSV in a part named "file"`);
        file.resume();
        return;
      }
      body = new PassThrough();
      file.on('limit', () => abandon(tooLarge(limit)));
      // A part cut short (the body ended inside it) fails here; unheard, the error would end the process.
      file.on('error', (err: Error) => abandon(new DomainError(ErrorCode.ValidationFailed, `malformed multipart body: ${err.message}`)));
      file.pipe(body);
      upload = storage.upload('imports', key, body);
      upload.catch(() => undefined);
    });
    parser.on('error', (err: Error) => {
      const malformed = new DomainError(ErrorCode.ValidationFailed, `malformed multipart body: ${err.message}`);
      abandon(malformed);
      reject(malformed);
    });
    parser.on('close', () => {
      (async () => {
        if (!upload) throw failure ?? validationFailed('file', 'is required', 'no file part: send the CSV in a part named "file"');
        const stored = await upload.catch((err) => {
          throw failure ?? err;
        });
        if (failure) {
          await storage.remove('imports', key).catch(() => undefined);
          throw failure;
        }
        return { stored, fields };
      })().then(resolve, reject);
    });
    req.pipe(parser);
  });
}
