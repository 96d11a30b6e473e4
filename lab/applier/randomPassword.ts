/**
 * random:index/randomPassword:RandomPassword, generated for real (the mocks'
 * fixed values would make every lab share one password) from a CSPRNG, with
 * the provider's character classes, defaults and minimums.
 */
import { randomInt } from 'node:crypto';
import { Fields, UnsupportedFieldError } from './fields';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const NUMERIC = '0123456789';
const SPECIAL = '!@#$%&*()-_=+[]{}<>:?';

function pick(alphabet: string, count: number): string[] {
  return Array.from({ length: count }, () => alphabet[randomInt(alphabet.length)]);
}

export function generatePassword(resourceName: string, inputs: Record<string, unknown>): string {
  const fields = new Fields(inputs, `random:index/randomPassword:RandomPassword ${resourceName}`);
  const length = fields.number('length');
  if (length === undefined || !Number.isInteger(length) || length < 1) throw new UnsupportedFieldError(`${fields.path}: length must be a positive integer`);
  const numeric = fields.boolean('numeric') ?? fields.boolean('number') ?? true;
  const classes = [
    { use: fields.boolean('lower') ?? true, alphabet: LOWER, min: fields.number('minLower') ?? 0 },
    { use: fields.boolean('upper') ?? true, alphabet: UPPER, min: fields.number('minUpper') ?? 0 },
    { use: numeric, alphabet: NUMERIC, min: fields.number('minNumeric') ?? 0 },
    { use: fields.boolean('special') ?? true, alphabet: fields.string('overrideSpecial') ?? SPECIAL, min: fields.number('minSpecial') ?? 0 },
  ].filter((c) => c.use);
  // Keepers only decide when the provider replaces the password.
  fields.afterCreation('keepers');
  fields.assertAllRead();
  const required = classes.flatMap((c) => pick(c.alphabet, c.min));
  if (classes.length === 0 || required.length > length) throw new UnsupportedFieldError(`${fields.path}: no password of length ${length} satisfies its classes and minimums`);
  const chars = [...required, ...pick(classes.map((c) => c.alphabet).join(''), length - required.length)];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}
