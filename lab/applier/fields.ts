/**
 * Reading a resource's inputs field by field. Every field the lab does not
 * map must fail loudly, naming itself: a silently dropped input would make
 * the lab run something other than what the program asked for.
 */

export class UnsupportedFieldError extends Error {}

type Plain = Record<string, unknown>;

export class Fields {
  private readonly read = new Set<string>();

  constructor(
    private readonly values: Plain,
    /** Where these fields are, for messages: `docker:index/container:Container hft-backend-1`, `….ports[0]`. */
    readonly path: string,
  ) {}

  private take(key: string): unknown {
    this.read.add(key);
    return this.values[key];
  }

  has(key: string): boolean {
    return this.values[key] !== undefined && this.values[key] !== null;
  }

  string(key: string): string | undefined {
    return this.typed(key, 'string') as string | undefined;
  }

  requiredString(key: string): string {
    const value = this.string(key);
    if (value === undefined || value === '') throw new UnsupportedFieldError(`${this.path}: ${key} is required`);
    return value;
  }

  number(key: string): number | undefined {
    return this.typed(key, 'number') as number | undefined;
  }

  boolean(key: string): boolean | undefined {
    return this.typed(key, 'boolean') as boolean | undefined;
  }

  strings(key: string): string[] | undefined {
    const value = this.take(key);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw this.wrongType(key, 'a list of strings');
    return value as string[];
  }

  stringMap(key: string): Record<string, string> | undefined {
    const value = this.take(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
      throw this.wrongType(key, 'a map of strings');
    }
    return value as Record<string, string>;
  }

  /** A nested object, read with its own Fields (and checked with it). */
  object(key: string): Fields | undefined {
    const value = this.take(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw this.wrongType(key, 'an object');
    return new Fields(value as Plain, `${this.path}.${key}`);
  }

  /** A list of objects, each read with its own Fields. */
  objects(key: string): Fields[] {
    const value = this.take(key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'object' || item === null)) throw this.wrongType(key, 'a list of objects');
    return value.map((item, index) => new Fields(item as Plain, `${this.path}.${key}[${index}]`));
  }

  /** A field that only ever holds `allowed` here (a default the lab honours, nothing else). */
  only<T>(key: string, allowed: T[], why: string): T | undefined {
    const value = this.take(key) as T | undefined;
    if (value === undefined || value === null || allowed.includes(value)) return value ?? undefined;
    throw new UnsupportedFieldError(`${this.path}: ${key}=${JSON.stringify(value)} is not supported by the lab applier (${why})`);
  }

  /** A field that matters only after creation (refresh, destroy): accepted, with the reason it needs no mapping. */
  afterCreation(key: string): void {
    this.take(key);
  }

  /** Fails on the first field nobody read. */
  assertAllRead(): void {
    const unread = Object.keys(this.values).filter((key) => !this.read.has(key) && this.values[key] !== undefined && this.values[key] !== null);
    if (unread.length > 0) {
      throw new UnsupportedFieldError(
        `${this.path}: input field${unread.length > 1 ? 's' : ''} ${unread.join(', ')} ${unread.length > 1 ? 'are' : 'is'} not implemented by the lab applier (lab/applier)`,
      );
    }
  }

  private typed(key: string, type: 'string' | 'number' | 'boolean'): unknown {
    const value = this.take(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== type) throw this.wrongType(key, `a ${type}`);
    return value;
  }

  private wrongType(key: string, expected: string): UnsupportedFieldError {
    return new UnsupportedFieldError(`${this.path}: ${key} must be ${expected}`);
  }
}
