import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkUrl, devPolicy, forbiddenAddress, forbiddenHostLiteral, postSafely, productionPolicy, RefusedUrl, type AddressPolicy } from './safe-post.js';
import { signature } from './notifications.js';

describe('notification address guard', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '[::ffff:127.0.0.1]',
    '::ffff:a9fe:a9fe',
    '64:ff9b::7f00:1',
  ])('refuses %s', (address) => {
    expect(forbiddenAddress(address)).toMatch(/private, loopback or reserved/);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::6810:85e5', '::ffff:8.8.8.8'])('lets %s through', (address) => {
    expect(forbiddenAddress(address)).toBeNull();
  });

  it('wants https, no credentials, and no private IP literal in production', () => {
    const refused = (url: string) => {
      try {
        checkUrl(url, productionPolicy);
        return null;
      } catch (err) {
        return (err as RefusedUrl).message;
      }
    };
    expect(refused('http://hooks.example.com/x')).toMatch(/http: is not allowed/);
    expect(refused('https://user:pw@hooks.example.com/x')).toMatch(/credentials/);
    expect(refused('https://127.0.0.1/x')).toMatch(/loopback/);
    expect(refused('https://[::ffff:127.0.0.1]/x')).toMatch(/loopback/);
    expect(refused('https://169.254.169.254/latest/meta-data')).toMatch(/private/);
    expect(refused('not a url')).toMatch(/not a URL/);
    expect(refused('https://hooks.example.com/x')).toBeNull();
    expect(checkUrl('http://127.0.0.1:9/x', devPolicy).port).toBe('9');
  });

  it('knows an address in every form a URL accepts, and leaves names to the resolver', () => {
    for (const host of ['0x7f000001', '0x7f.1', '2130706433', '0177.0.0.1', '127.1', '0xa9fea9fe', '[::1]', '::1', '[::ffff:7f00:1]']) {
      expect([host, forbiddenHostLiteral(host, productionPolicy)]).toEqual([host, expect.stringMatching(/private, loopback or reserved/)]);
    }
    for (const host of ['example.com', 'localhost', '8.8.8.8', '0x08080808'])
      expect([host, forbiddenHostLiteral(host, productionPolicy)]).toEqual([host, null]);
    expect(forbiddenHostLiteral('0x7f000001', devPolicy)).toBeNull();
    expect(() => checkUrl('https://0x7f000001/x', productionPolicy)).toThrow(/loopback/);
  });

  it('signs as Standard Webhooks do', () => {
    // The example of the Standard Webhooks specification.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    expect(signature(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  describe('at connect time', () => {
    let target: Server;
    let redirector: Server;
    let hits = 0;
    const portOf = (s: Server) => (s.address() as AddressInfo).port;

    beforeAll(async () => {
      target = createServer((req, res) => {
        hits += 1;
        req.resume();
        res.end('ok');
      });
      redirector = createServer((req, res) => {
        req.resume();
        res.writeHead(307, { location: `http://127.0.0.2:${portOf(target)}/hook` }).end();
      });
      await Promise.all([new Promise<void>((r) => target.listen(0, '0.0.0.0', r)), new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r))]);
    });
    afterAll(async () => {
      await Promise.all([new Promise((r) => target.close(r)), new Promise((r) => redirector.close(r))]);
    });

    // Loopback stands in for the two sides: 127.0.0.1 plays a public address, 127.0.0.2 a private one.
    const policy: AddressPolicy = { allowHttp: true, forbidden: (a) => (a.replace(/^::ffff:/, '') === '127.0.0.2' ? `${a} is private` : null) };

    it('posts when every address is allowed', async () => {
      const before = hits;
      expect(await postSafely(`http://127.0.0.1:${portOf(target)}/hook`, '{}', {}, { policy, timeoutMs: 5000 })).toBe(200);
      expect(hits).toBe(before + 1);
    });

    it('refuses a redirect to a forbidden address without reaching it', async () => {
      const before = hits;
      await expect(postSafely(`http://127.0.0.1:${portOf(redirector)}/hook`, '{}', {}, { policy, timeoutMs: 5000 })).rejects.toThrow(/127.0.0.2 is private/);
      expect(hits).toBe(before);
    });

    it('refuses a name that resolves to a forbidden address, when connecting', async () => {
      const loopbackIsPrivate: AddressPolicy = { allowHttp: true, forbidden: forbiddenAddress };
      const before = hits;
      await expect(postSafely(`http://localhost:${portOf(target)}/hook`, '{}', {}, { policy: loopbackIsPrivate, timeoutMs: 5000 })).rejects.toThrow(
        /localhost resolves to .*loopback/,
      );
      expect(hits).toBe(before);
    });
  });
});
