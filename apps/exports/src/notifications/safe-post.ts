import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses a notification may never reach: loopback, private, link-local (cloud metadata),
 * carrier-grade NAT, unspecified, multicast, reserved, and their IPv6 counterparts.
 */
const FORBIDDEN = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  FORBIDDEN.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['64:ff9b::', 96],
  ['100::', 64],
] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped or -compatible IPv6 address (::ffff:7f00:1 is 127.0.0.1), or null. */
function embeddedIpv4(address: string): string | null {
  const m = /^(?:0{0,4}:){0,5}(?::|ffff:)((?:\d{1,3}\.){3}\d{1,3}|[0-9a-f]{1,4}:[0-9a-f]{1,4})$/i.exec(address.replace(/^\[|\]$/g, ''));
  if (!m) return null;
  if (m[1]!.includes('.')) return m[1]!;
  const [hi, lo] = m[1]!.split(':').map((h) => parseInt(h, 16)) as [number, number];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Why the address may not be reached, or null when it is public. */
export function forbiddenAddress(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '');
  const v4 = isIP(bare) === 4 ? bare : embeddedIpv4(bare);
  if (v4 !== null) return FORBIDDEN.check(v4, 'ipv4') ? `${address} is a private, loopback or reserved address` : null;
  if (isIP(bare) === 6) return FORBIDDEN.check(bare, 'ipv6') ? `${address} is a private, loopback or reserved address` : null;
  return `${address} is not an IP address`;
}

export class RefusedUrl extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedUrl';
  }
}

/**
 * Who may be reached: in production https only and `forbiddenAddress` applies; in development
 * (`devPolicy`) http and every address.
 */
export interface AddressPolicy {
  allowHttp: boolean;
  forbidden: (address: string) => string | null;
}
export const productionPolicy: AddressPolicy = { allowHttp: false, forbidden: forbiddenAddress };
export const devPolicy: AddressPolicy = { allowHttp: true, forbidden: () => null };

/** The addresses of `host` that the policy allows (an IP literal is checked as it is); throws RefusedUrl when there are none. */
export async function allowedAddresses(host: string, policy: AddressPolicy): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses = isIP(bare) ? [bare] : (await dnsLookupAll(bare)).map((a) => a.address);
  const bad = addresses.map((a) => policy.forbidden(a)).find((why) => why !== null);
  if (bad) throw new RefusedUrl(isIP(bare) ? bad : `${host} resolves to ${bad}`);
  return addresses;
}

function dnsLookupAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));
}

export interface PostOptions {
  policy: AddressPolicy;
  timeoutMs: number;
  maxRedirects?: number;
}

/**
 * Why `host` may not be connected to, when it is an IP address in any of the forms URLs accept
 * (`127.0.0.1`, `0x7f000001`, `2130706433`, `[::1]`); null for names (checked when resolved) and
 * allowed addresses. Such hosts never reach the resolver, so this is their only check.
 */
export function forbiddenHostLiteral(host: string, policy: AddressPolicy): string | null {
  let hostname: string;
  try {
    hostname = new URL(`http://${isIP(host) === 6 ? `[${host}]` : host}/`).hostname;
  } catch {
    return `${host} is not a host name`;
  }
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isIP(bare) ? policy.forbidden(bare) : null;
}

/** The URL's syntax and scheme, and its address when it is an IP literal. */
export function checkUrl(raw: string, policy: AddressPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RefusedUrl(`"${raw}" is not a URL`);
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) throw new RefusedUrl(`${url.protocol} is not allowed; use https`);
  if (url.username || url.password) throw new RefusedUrl('credentials in the URL are not allowed');
  const why = forbiddenHostLiteral(url.hostname, policy);
  if (why) throw new RefusedUrl(why);
  return url;
}

/**
 * Resolves like the system does, then refuses when any address is forbidden: checked at connect
 * time, so a name cannot pass a check and then resolve elsewhere.
 */
export function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      const bad = addresses.map((a) => policy.forbidden(a.address)).find((why) => why !== null);
      if (bad) return callback(Object.assign(new RefusedUrl(`${hostname} resolves to ${bad}`), { code: 'EREFUSED_ADDRESS' }), '', 4);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

/**
 * POSTs `body`, following up to `maxRedirects` 307/308 redirects, each target checked like the
 * first. Answers the final status; a refused address throws RefusedUrl.
 */
export async function postSafely(rawUrl: string, body: string, headers: Record<string, string>, options: PostOptions): Promise<number> {
  let url = checkUrl(rawUrl, options.policy);
  for (let hop = 0; ; hop += 1) {
    const { status, location } = await postOnce(url, body, headers, options);
    // Only 307 and 308 keep the method and body; any other answer is the outcome.
    if (![307, 308].includes(status) || !location) return status;
    if (hop >= (options.maxRedirects ?? 3)) throw new Error(`more than ${options.maxRedirects ?? 3} redirects`);
    // A redirect is a new destination: the same rules apply to it.
    url = checkUrl(new URL(location, url).toString(), options.policy);
  }
}

function postOnce(url: URL, body: string, headers: Record<string, string>, options: PostOptions): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(options.policy),
        timeout: options.timeoutMs,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body).toString() },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
