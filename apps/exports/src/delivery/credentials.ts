import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

// Destination passwords at rest: AES-256-GCM under a key derived from EXPORTS_CREDENTIALS_KEY,
// stored as `v1:` + base64(iv | tag | ciphertext). A wrong key or a changed byte fails to open.

const keyOf = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

export function seal(secret: string, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

export function open(secret: string, sealed: string): string {
  if (!sealed.startsWith('v1:')) throw new Error('not a sealed credential');
  const raw = Buffer.from(sealed.slice(3), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
