/** Parses a duration flag such as `30s`, `2m`, `1500ms` or `10` (seconds) into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration (for example 30s, 2m, 1500ms)`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const milliseconds = unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000;
  if (milliseconds < 1) throw new Error(`"${text}" is not a positive duration`);
  return Math.round(milliseconds);
}
