/**
 * How well a campaign's surrogates predicted what the labs then measured, per property: every
 * succeeded measurement against the prediction stored with the batch that picked it (so the
 * model is judged on data it had not seen). The dashboard draws the points; `GET /campaigns/:id`
 * and `crucible campaign status` report the summary figures.
 */
import { intervalCalibration } from '../ml/ensemble/calibration';
import { campaignObjectives, measuredValues } from '../schemas';
import type { CampaignSpec, Measurement, ModelQualitySummary } from '../schemas';
import type { BatchDoc } from '../store/batches';
import { CalibrationPoint, Direction, calibrationCurve } from './dashboard/stats';

export interface ParityPoint {
  experiment_id: string;
  candidate_id: string;
  iteration: number;
  measured: number;
  predicted: number;
  std: number;
  uncertainty: number | null;
  /** Arrived after its experiment timed out or was cancelled: recorded, not learned from. */
  late: boolean;
}

/** One property's parity points (prediction at pick time vs measured value) and their σ calibration. */
export interface PropertyModelQuality {
  property: string;
  role: 'objective' | 'constraint';
  /** Objectives only: which way is better. */
  direction: Direction | null;
  parity: ParityPoint[];
  calibration: { n: number; points: CalibrationPoint[] };
}

/**
 * A batch's per-pick predictions of `property`: its stored per-property prediction, else (the
 * primary objective of a batch without one: single-objective, or stored before it existed) the
 * batch's own predicted_mean/std.
 */
export function batchPredictionOf(
  b: BatchDoc,
  property: string,
  primary: boolean,
): { mean: (number | null)[]; std: (number | null)[] } | null {
  return (
    b.property_predictions?.[property] ?? (primary ? { mean: b.predicted_mean, std: b.predicted_std } : null)
  );
}

function parityPoints(
  measurements: readonly Measurement[],
  batches: readonly BatchDoc[],
  property: string,
  primary: boolean,
): ParityPoint[] {
  const predictions = new Map<string, { mean: number | null; std: number | null }>();
  for (const b of batches) {
    const p = batchPredictionOf(b, property, primary);
    if (!p) continue;
    b.candidate_ids.forEach((c, i) =>
      predictions.set(`${b.iteration}/${c}`, { mean: p.mean[i], std: p.std[i] }),
    );
  }
  const parity: ParityPoint[] = [];
  for (const m of measurements) {
    const p = predictions.get(`${m.iteration}/${m.candidate_id}`);
    const measured = measuredValues(m)[property] ?? null;
    if (m.status !== 'succeeded' || measured === null || p?.mean == null || p.std == null) continue;
    parity.push({
      experiment_id: m.experiment_id,
      candidate_id: m.candidate_id,
      iteration: m.iteration,
      measured,
      predicted: p.mean,
      std: p.std,
      // The lab's reported uncertainty is of the primary value only.
      uncertainty: primary ? m.uncertainty : null,
      late: m.late === true,
    });
  }
  return parity;
}

/** The residual y − μ also carries the lab's noise, so its scale is √(σ² + u²) when the lab reports u. */
const residualScale = (p: ParityPoint) => Math.sqrt(p.std ** 2 + (p.uncertainty ?? 0) ** 2);

/**
 * Every objective (primary first) and outcome-constraint property of the campaign, each with its
 * parity points and calibration curve.
 */
export function modelQualityByProperty(
  spec: CampaignSpec,
  measurements: readonly Measurement[],
  batches: readonly BatchDoc[],
): PropertyModelQuality[] {
  const properties = [
    ...campaignObjectives(spec).map((o, j) => ({
      property: o.property,
      role: 'objective' as const,
      direction: o.direction,
      primary: j === 0,
    })),
    ...(spec.constraints ?? []).flatMap((c) =>
      c.kind === 'outcome'
        ? [{ property: c.property, role: 'constraint' as const, direction: null, primary: false }]
        : [],
    ),
  ];
  return properties.map(({ primary, ...p }) => {
    const parity = parityPoints(measurements, batches, p.property, primary);
    const zs = parity.map((q) => (q.measured - q.predicted) / residualScale(q)).filter(Number.isFinite);
    return { ...p, parity, calibration: { n: zs.length, points: calibrationCurve(zs) } };
  });
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** One property's figures: error of the pick-time predictions and coverage of their intervals. */
export function summarizeModelQuality(q: PropertyModelQuality): ModelQualitySummary {
  const n = q.parity.length;
  const base = { property: q.property, role: q.role, n };
  if (n === 0)
    return { ...base, mae: null, rmse: null, coverage_68: null, coverage_95: null, mean_std: null };
  const err = q.parity.map((p) => p.measured - p.predicted);
  const cal = intervalCalibration(
    q.parity.map((p) => p.predicted),
    q.parity.map(residualScale),
    q.parity.map((p) => p.measured),
  );
  return {
    ...base,
    mae: round(err.reduce((s, e) => s + Math.abs(e), 0) / n),
    rmse: round(Math.sqrt(err.reduce((s, e) => s + e * e, 0) / n)),
    coverage_68: round(cal.coverage68),
    coverage_95: round(cal.coverage95),
    mean_std: round(q.parity.reduce((s, p) => s + p.std, 0) / n),
  };
}
