/** Shortest decimal that reads back to the same double (so written files round-trip exactly); -0 as 0. */
export function formatReal(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`formatReal: not a finite number: ${x}`);
  return Object.is(x, -0) ? '0' : String(x);
}
