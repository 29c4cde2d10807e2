import { registerDecorator, type ValidationOptions } from 'class-validator';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses `500ms`, `30s`, `15m`, `2h`, `30d` into milliseconds; throws on anything else. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration (use e.g. 500ms, 30s, 15m, 2h, 30d)`);
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

export function IsDuration(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isDuration',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a duration such as 500ms, 30s, 15m, 2h or 30d', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && DURATION.test(value.trim()) },
    });
}
