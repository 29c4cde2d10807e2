import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** A pass-through that counts bytes and computes sha256 of what flows through it. */
export class HashingCounter extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;
  private digest?: string;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    done();
  }

  /** Bytes and sha256 (hex); only once the stream has ended. */
  result(): { bytes: number; sha256: string } {
    if (this.digest === undefined) throw new Error('HashingCounter.result() before the stream ended');
    return { bytes: this.bytes, sha256: this.digest };
  }
}

export function hashingCounter(): HashingCounter {
  return new HashingCounter();
}
