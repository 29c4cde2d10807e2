import { IsInt, Min } from 'class-validator';
import { CommonEnv, S3Env } from './common-env.js';
import { Duration, formatDuration, MINUTE, parseDuration } from './duration.js';
import { Flag } from './flag.js';
import { ConfigError, loadConfig } from './load-config.js';

class TestEnv extends CommonEnv {
  @IsInt() @Min(1) TEST_PORT: number = 8080;
  @Duration() TEST_TIMEOUT: number = 15 * MINUTE;
  @Flag() TEST_FLAG: boolean = false;
}

const base = { DATABASE_URL: 'postgres://u@h/db', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 'b' };

describe('loadConfig', () => {
  it('applies defaults and converts numbers', () => {
    const cfg = loadConfig(TestEnv, { ...base, TEST_PORT: '9090' });
    expect(cfg.TEST_PORT).toBe(9090);
    expect(cfg.TEST_TIMEOUT).toBe(15 * 60_000);
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

describe('S3 settings', () => {
  it('are checked once, with the storage rules', () => {
    let error: unknown;
    try {
      loadConfig(S3Env, { S3_ENDPOINT: 'ftp://h', S3_BUCKET_PREFIX: 'Custodian_' });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(['S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_BUCKET_PREFIX']);
    expect(loadConfig(S3Env, { S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 'b' })).toMatchObject({
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_REGION: 'us-east-1',
      S3_BUCKET_PREFIX: 'custodian-',
    });
  });
});

describe('@Duration', () => {
  it('turns the text into milliseconds at load', () => {
    expect(loadConfig(TestEnv, { ...base, TEST_TIMEOUT: '15m' }).TEST_TIMEOUT).toBe(900_000);
    expect(loadConfig(TestEnv, { ...base, TEST_TIMEOUT: '1.5s' }).TEST_TIMEOUT).toBe(1500);
    expect(loadConfig(TestEnv, { ...base, TEST_TIMEOUT: '30d' }).TEST_TIMEOUT).toBe(2_592_000_000);
  });
  it('keeps the default, a number of milliseconds, when the variable is unset or empty', () => {
    expect(loadConfig(TestEnv, base).TEST_TIMEOUT).toBe(900_000);
    expect(loadConfig(TestEnv, { ...base, TEST_TIMEOUT: '' }).TEST_TIMEOUT).toBe(900_000);
  });
  it.each(['soon', '10 minutes', '15', '-1s', '1w'])('refuses %j, naming the variable, the accepted forms and the value', (text) => {
    expect(() => loadConfig(TestEnv, { ...base, TEST_TIMEOUT: text })).toThrow(
      `TEST_TIMEOUT: TEST_TIMEOUT must be a duration such as 500ms, 30s, 15m, 2h or 30d (got ${JSON.stringify(text)})`,
    );
  });
});

describe('@Flag', () => {
  it.each([
    ['true', true],
    ['false', false],
  ])('turns %s into a boolean at load', (text, value) => {
    expect(loadConfig(TestEnv, { ...base, TEST_FLAG: text }).TEST_FLAG).toBe(value);
  });
  it('keeps the default when the variable is unset', () => {
    expect(loadConfig(TestEnv, base).TEST_FLAG).toBe(false);
  });
  it.each(['yes', 'TRUE', '1'])('refuses %j, naming the variable', (text) => {
    expect(() => loadConfig(TestEnv, { ...base, TEST_FLAG: text })).toThrow(`TEST_FLAG: TEST_FLAG must be true or false (got ${JSON.stringify(text)})`);
  });
});

describe('formatDuration', () => {
  it.each([
    [366 * 86_400_000, '366d'],
    [7_200_000, '2h'],
    [90_000, '90s'],
    [1500, '1500ms'],
    [0, '0ms'],
  ])('%d is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2h', 7_200_000],
    ['30d', 2_592_000_000],
    ['1.5s', 1500],
  ])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it('rejects text that is not a duration', () => {
    expect(() => parseDuration('10 minutes')).toThrow(/not a duration/);
  });
});
