import { mediumStack, uniqueWorkspace, type MediumStack } from '@custodian/testing';
import { MIGRATIONS } from '../database/migrations.js';
import { FieldDefinitions1763800000500 } from './005-field-definitions.js';

describe('migration 005: custom field names become definitions unique regardless of case', () => {
  let stack: MediumStack;

  beforeAll(async () => {
    // The schema as it was before: every migration up to the one under test.
    stack = await mediumStack('contacts', MIGRATIONS.slice(0, MIGRATIONS.indexOf(FieldDefinitions1763800000500)));
  });
  afterAll(async () => {
    await stack.close();
  });

  it('merges names that differ only in case into the first by byte order, moving each contact value there without losing a kept one', async () => {
    const ws = uniqueWorkspace('mig');
    const other = uniqueWorkspace('mig');
    const contact = (workspace: string, email: string, fields: Record<string, string>) =>
      stack.ds.query('insert into contact (workspace_id, email, fields) values ($1, $2, $3)', [workspace, email, fields]);
    await contact(ws, 'upper@example.com', { City: 'Rome', plan: 'gold' });
    await contact(ws, 'lower@example.com', { city: 'Paris' });
    await contact(ws, 'both@example.com', { City: 'Oslo', city: 'Bergen', cItY: 'Tromsø' });
    await contact(other, 'alone@example.com', { city: 'Lima' });
    await stack.ds.query('insert into custom_field select distinct workspace_id, jsonb_object_keys(fields) from contact where workspace_id in ($1, $2)', [
      ws,
      other,
    ]);

    const runner = stack.ds.createQueryRunner();
    try {
      await runner.startTransaction();
      await new FieldDefinitions1763800000500().up(runner);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }

    const fields = async (workspace: string) =>
      Object.fromEntries(
        ((await stack.ds.query('select email, fields from contact where workspace_id = $1', [workspace])) as { email: string; fields: object }[]).map((r) => [
          r.email,
          r.fields,
        ]),
      );
    expect(await fields(ws)).toEqual({
      'upper@example.com': { City: 'Rome', plan: 'gold' },
      'lower@example.com': { City: 'Paris' },
      'both@example.com': { City: 'Oslo' },
    });
    expect(await fields(other)).toEqual({ 'alone@example.com': { city: 'Lima' } });
    const names = (workspace: string) =>
      stack.ds.query('select name, type from custom_field where workspace_id = $1 order by name', [workspace]) as Promise<{ name: string; type: string }[]>;
    expect(await names(ws)).toEqual([
      { name: 'City', type: 'text' },
      { name: 'plan', type: 'text' },
    ]);
    expect(await names(other)).toEqual([{ name: 'city', type: 'text' }]);
    await expect(stack.ds.query("insert into custom_field (workspace_id, name) values ($1, 'PLAN')", [ws])).rejects.toThrow(/custom_field_name_key/);
  });
});
