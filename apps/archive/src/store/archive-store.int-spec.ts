import { randomUUID } from 'node:crypto';
import { archivedContactRecordedV1, SNAPSHOT_FIXTURE, type ContactArchivedV1, type EventEnvelope } from '@custodian/contracts';
import { CommandClient } from '@custodian/messaging';
import { mediumStack, outboxEvents, uniqueWorkspace, type MediumStack } from '@custodian/testing';
import { ArchiveEnv } from '../config.js';
import { MIGRATIONS } from '../migrations.js';
import { ArchiveStore } from './archive-store.js';

describe("the archive's copy of archived contacts, on the real database", () => {
  let stack: MediumStack;
  let store: ArchiveStore;

  beforeAll(async () => {
    stack = await mediumStack('archive', MIGRATIONS);
    store = new ArchiveStore(stack.ds, undefined as unknown as CommandClient, new ArchiveEnv());
  });
  afterAll(async () => {
    await stack.close();
  });

  function archived(workspaceId: string, contactId: string, occurredAt: string, city: string): EventEnvelope<ContactArchivedV1> {
    return {
      id: randomUUID(),
      type: 'contacts.contact.archived',
      version: 1,
      occurredAt,
      workspaceId,
      actor: { id: 'admin-1' },
      origin: 'app',
      correlationId: randomUUID(),
      data: { snapshot: { ...SNAPSHOT_FIXTURE, contactId, fields: { city } }, reason: 'inactive' },
    };
  }

  it('keeps the newest snapshot: an older archived event, redelivered or relayed late, changes nothing and records nothing', async () => {
    const ws = uniqueWorkspace('arc');
    const contactId = randomUUID();
    const deliver = (event: EventEnvelope<ContactArchivedV1>) => stack.ds.transaction((em) => store.onArchived(event, em));
    const first = archived(ws, contactId, '2026-11-01T10:00:00.000Z', 'Rome');
    await deliver(first);
    // Restored, then archived again with newer data.
    await stack.ds.query('update archived_contact set restored_at = now() where contact_id = $1', [contactId]);
    await deliver(archived(ws, contactId, '2026-11-20T10:00:00.000Z', 'Oslo'));
    // The first event again (redelivered), and the first once more after a restore of the newer one.
    await deliver(first);
    const row = async () =>
      (
        (await stack.ds.query("select archived_at, restored_at, snapshot->'fields'->>'city' as city from archived_contact where contact_id = $1", [
          contactId,
        ])) as { archived_at: Date; restored_at: Date | null; city: string }[]
      )[0];
    expect(await row()).toEqual({ archived_at: new Date('2026-11-20T10:00:00.000Z'), restored_at: null, city: 'Oslo' });
    await stack.ds.query('update archived_contact set restored_at = now() where contact_id = $1', [contactId]);
    await deliver(first);
    expect(await row()).toMatchObject({ city: 'Oslo', restored_at: expect.any(Date) });

    const recorded = await outboxEvents(stack, archivedContactRecordedV1, ws);
    expect(recorded.map((e) => e.data.archivedAt)).toEqual(['2026-11-01T10:00:00.000Z', '2026-11-20T10:00:00.000Z']);
  });
});
