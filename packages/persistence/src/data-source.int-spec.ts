import { stackEnv } from '@custodian/testing';
import { createAppDataSource } from './data-source.js';
import { sqlLiteral } from './copy.js';

describe('connections of an app data source, on the real database', () => {
  it('pin standard_conforming_strings, so a backslash in a literal stays a backslash', async () => {
    // Even a session setting that asks otherwise does not turn it off.
    const ds = createAppDataSource({ url: stackEnv().DATABASE_URL, schema: 'public', poolSize: 1, sessionSettings: { standard_conforming_strings: 'off' } });
    await ds.initialize();
    try {
      expect(await ds.query('show standard_conforming_strings')).toEqual([{ standard_conforming_strings: 'on' }]);
      const tricky = String.raw`a\'; select 1; --\n`;
      expect(await ds.query(`select ${sqlLiteral(tricky)} as v`)).toEqual([{ v: tricky }]);
    } finally {
      await ds.destroy();
    }
  });
});
