/** Go duration strings (`1m30s`, `500ms`), as the docker provider takes them, in nanoseconds for the Engine API. */

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

export function goDurationNs(text: string): number {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`"${text}" is not a duration such as 10s, 1m30s or 500ms`);
  return Math.round(parts.reduce((total, [, amount, unit]) => total + Number(amount) * UNIT_NS[unit], 0));
}
