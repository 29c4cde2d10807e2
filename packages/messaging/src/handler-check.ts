import { MESSAGES, type MessageSpec } from '@custodian/contracts';

export interface DiscoveredHandler {
  subject: string;
  name: string;
}

/**
 * Startup check: every command this app owns (subjects `<app>.…`) has exactly one handler, no
 * subject has two handlers, and no handler listens to a subject outside the contracts.
 */
export function checkHandlers(
  app: string,
  commands: DiscoveredHandler[],
  events: DiscoveredHandler[],
  messages: readonly Pick<MessageSpec, 'subject' | 'kind'>[] = MESSAGES,
): string[] {
  const problems: string[] = [];
  const known = new Set(messages.map((m) => m.subject));
  for (const [kind, handlers] of [
    ['command', commands],
    ['event', events],
  ] as const) {
    const bySubject = new Map<string, string[]>();
    for (const h of handlers) bySubject.set(h.subject, [...(bySubject.get(h.subject) ?? []), h.name]);
    for (const [subject, names] of bySubject) {
      if (!known.has(subject)) problems.push(`${kind} handler ${names.join(', ')} listens to ${subject}, which is not in the contracts`);
      if (names.length > 1) problems.push(`${kind} ${subject} has ${names.length} handlers: ${names.join(', ')}`);
    }
  }
  const handled = new Set(commands.map((c) => c.subject));
  for (const m of messages) {
    if (m.kind === 'command' && m.subject.startsWith(`${app}.`) && !handled.has(m.subject)) {
      problems.push(`command ${m.subject} has no handler in ${app}`);
    }
  }
  return problems;
}
