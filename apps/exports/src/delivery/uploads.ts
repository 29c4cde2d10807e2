import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline, Transform, type Readable } from 'node:stream';
import SftpClient from 'ssh2-sftp-client';
import { allowedAddresses, forbiddenHostLiteral, guardedLookup, RefusedUrl, type AddressPolicy } from '../notifications/safe-post.js';

export interface Target {
  kind: 'sftp' | 'webdav';
  host: string;
  port: number;
  path: string;
  tls: boolean;
  username: string;
  password: string;
  /** SFTP: the host key fingerprint the server must present; null takes the one it presents. */
  hostKey: string | null;
}

/** A host key's fingerprint as OpenSSH writes it: SHA256, base64 without padding. */
export const hostKeyFingerprint = (key: Buffer) => `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;

const remotePath = (folder: string, name: string) => `${folder.replace(/\/+$/, '')}/${name}`;

/**
 * Uploads a file to an SFTP server: to `<name>.part` first, renamed when complete, so a reader
 * never takes a half-written file for the export. The host is resolved and checked against the
 * policy first, and the connection goes to that address. The server must present the pinned host
 * key (before the password is sent); the fingerprint it presented is returned. The file is opened
 * once the session is up, and the upload gives up when nothing moves for `timeoutMs`.
 */
export async function uploadSftp(target: Target, name: string, open: () => Promise<Readable>, policy: AddressPolicy, timeoutMs: number): Promise<string> {
  const [address] = await allowedAddresses(target.host, policy);
  const sftp = new SftpClient();
  let presented: string | undefined;
  let body: Readable | undefined;
  let stalled = false;
  // A server that stops reading would otherwise hold the delivery (and its connection) for ever.
  const watchdog = setTimeout(() => {
    stalled = true;
    body?.destroy(new Error(`the SFTP server stopped answering for ${timeoutMs} ms`));
    void sftp.end().catch(() => undefined);
  }, timeoutMs);
  try {
    await sftp
      .connect({
        host: address,
        port: target.port,
        username: target.username,
        password: target.password,
        readyTimeout: timeoutMs,
        hostVerifier: (key: Buffer) => {
          presented = hostKeyFingerprint(key);
          return target.hostKey === null || presented === target.hostKey;
        },
      })
      .catch((err: Error) => {
        if (presented && target.hostKey !== null && presented !== target.hostKey) {
          throw new Error(
            `${target.host} presented the host key ${presented}, not the destination's ${target.hostKey}; if the server's key changed, add the destination again with the new one`,
          );
        }
        throw err;
      });
    body = await open();
    // Every chunk that moves on puts the watchdog off; a failure on either side ends both.
    const moving = new Transform({
      transform: (chunk, _encoding, done) => {
        watchdog.refresh();
        done(null, chunk);
      },
    });
    pipeline(body, moving, () => undefined);
    const final = remotePath(target.path, name);
    await sftp.put(moving, `${final}.part`);
    watchdog.refresh();
    if (await sftp.exists(final)) await sftp.delete(final);
    await sftp.rename(`${final}.part`, final);
    return presented!;
  } catch (err) {
    throw stalled ? new Error(`the SFTP server stopped answering for ${timeoutMs} ms`) : err;
  } finally {
    clearTimeout(watchdog);
    body?.destroy();
    await sftp.end().catch(() => undefined);
  }
}

/**
 * PUTs a file of known length to a WebDAV server, through the same address guard as
 * notifications, after making the folder (and its parents) with MKCOL where missing. The file is
 * opened for the PUT only, and closed whatever happens.
 */
export async function uploadWebdav(
  target: Target,
  name: string,
  open: () => Promise<Readable>,
  bytes: number,
  policy: AddressPolicy,
  timeoutMs: number,
): Promise<void> {
  // An address given as such never reaches the guarded resolver: it is checked here, in the form the request will use.
  const literal = forbiddenHostLiteral(target.host, policy);
  if (literal) throw new RefusedUrl(literal);
  const base = `${target.tls ? 'https' : 'http'}://${target.host}:${target.port}`;
  const auth = `Basic ${Buffer.from(`${target.username}:${target.password}`).toString('base64')}`;
  const segments = target.path.split('/').filter(Boolean);
  for (let i = 1; i <= segments.length; i += 1) {
    const status = await davRequest(new URL(`${base}/${segments.slice(0, i).join('/')}/`), 'MKCOL', auth, null, 0, policy, timeoutMs);
    // 405: it exists already.
    if (!(status >= 200 && status < 300) && status !== 405) throw new Error(`WebDAV answered ${status} to MKCOL /${segments.slice(0, i).join('/')}`);
  }
  const url = new URL(base);
  url.pathname = remotePath(target.path, name);
  const body = await open();
  try {
    const status = await davRequest(url, 'PUT', auth, body, bytes, policy, timeoutMs);
    if (status < 200 || status >= 300) throw new Error(`WebDAV answered ${status} to PUT ${url.pathname}`);
  } finally {
    body.destroy();
  }
}

function davRequest(url: URL, method: string, auth: string, body: Readable | null, bytes: number, policy: AddressPolicy, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method,
        lookup: guardedLookup(policy),
        timeout: timeoutMs,
        headers: {
          authorization: auth,
          'content-length': String(bytes),
          'content-type': url.pathname.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (!body) {
      req.end();
      return;
    }
    body.on('error', (err) => req.destroy(err));
    body.pipe(req);
  });
}
