import { checkHandlers } from './handler-check.js';

describe('checkHandlers', () => {
  const all = [
    { subject: 'contacts.contact.create.v1', name: 'A.create' },
    { subject: 'contacts.contact.get.v1', name: 'A.get' },
    { subject: 'contacts.contact.list.v1', name: 'A.list' },
    { subject: 'contacts.job.get.v1', name: 'J.get' },
  ];
  const messages = [
    ...all.map((h) => ({ subject: h.subject, kind: 'command' as const })),
    { subject: 'events.contacts.contact.created.v1', kind: 'event' as const },
    { subject: 'backups.policy.get.v1', kind: 'command' as const },
  ];

  it('accepts an app that handles each of its commands once', () => {
    expect(checkHandlers('contacts', all, [{ subject: 'events.contacts.contact.created.v1', name: 'X.on' }], messages)).toEqual([]);
  });

  it('names a command of the app without a handler', () => {
    expect(checkHandlers('contacts', all.slice(1), [], messages)).toEqual(['command contacts.contact.create.v1 has no handler in contacts']);
  });

  it('names a subject with two handlers', () => {
    const problems = checkHandlers(
      'contacts',
      all,
      [
        { subject: 'events.contacts.contact.created.v1', name: 'X.on' },
        { subject: 'events.contacts.contact.created.v1', name: 'Y.on' },
      ],
      messages,
    );
    expect(problems).toEqual(['event events.contacts.contact.created.v1 has 2 handlers: X.on, Y.on']);
  });

  it('names a handler of a subject that is not in the contracts', () => {
    expect(checkHandlers('contacts', [...all, { subject: 'contacts.contact.explode.v1', name: 'A.boom' }], [], messages)).toEqual([
      'command handler A.boom listens to contacts.contact.explode.v1, which is not in the contracts',
    ]);
  });
});
