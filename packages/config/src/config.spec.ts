import { IsInt, Min } from 'class-validator';
import { CommonEnv } from './common-env.js';
import { IsDuration, parseDuration } from './duration.js';
import { ConfigError, loadConfig } from './load-config.js';

class TestEnv extends CommonEnv {
  @IsInt() @Min(1) TEST_PORT: number = 8080;
  @IsDuration() TEST_TIMEOUT: string = '15m';
}

const base = { DATABASE_URL: 'postgres://u@h/db', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 'b' };

describe('loadConfig', () => {
  it('applies defaults and converts numbers', () => {
    const cfg = loadConfig(TestEnv, { ...base, TEST_PORT: '9090' });
    expect(cfg.TEST_PORT).toBe(9090);
    expect(parseDuration(cfg.TEST_TIMEOUT)).toBe(15 * 60_000);
    expect(cfg.NATS_SERVERS).toBe('nats://127.0.0.1:4222');
  });

  it('names every missing or invalid variable', () => {
    let error: unknown;
    try {
      loadConfig(TestEnv, { TEST_PORT: 'abc', TEST_TIMEOUT: 'soon', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 'b' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/DATABASE_URL/);
    expect(message).toMatch(/TEST_PORT/);
    expect(message).toMatch(/TEST_TIMEOUT/);
  });
});

describe('parseDuration', () => {
  it.each([['500ms', 500], ['30s', 30_000], ['2h', 7_200_000], ['30d', 2_592_000_000], ['1.5s', 1500]])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it('rejects text that is not a duration', () => {
    expect(() => parseDuration('10 minutes')).toThrow(/not a duration/);
  });
});
