/**
 * Standard normal density, CDF and log-CDF, accurate to a few ulps everywhere, including far
 * tails where Φ(z) underflows (log Φ then comes from the scaled erfcx, which never underflows).
 * erfc/erfcx come from @stdlib (ports of well-tested double-precision algorithms) because a
 * hand-typed rational approximation is exactly where silent precision bugs live.
 */
import erfc = require('@stdlib/math-base-special-erfc');
import erfcx = require('@stdlib/math-base-special-erfcx');

export { erfcx };

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export function normalPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

export function normalLogPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/** Φ(z) = ½ erfc(−z/√2): no cancellation for negative z, unlike ½(1 + erf(z/√2)). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** log Φ(z), finite for every finite z. */
export function normalLogCdf(z: number): number {
  if (z > -1) return Math.log1p(-0.5 * erfc(z / Math.SQRT2));
  // Φ(z) = ½ erfcx(−z/√2) exp(−z²/2) for z < 0.
  return Math.log(0.5 * erfcx(-z / Math.SQRT2)) - 0.5 * z * z;
}
