/**
 * Re-analyses finished MD job folders with the current analysis code, without re-running MD:
 * `tsx bench/md/reanalyse.ts <job dir> [<job dir> ...] [--measured <S/cm>]`.
 * Each folder is what an executor leaves (params.json, log.json, trajectory.extxyz); the
 * temperatures are combined exactly as the MD stage does (analyseTrajectory per temperature, then
 * mdOutcome's Arrhenius fit and 300 K extrapolation). Prints one JSON line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyseTrajectory } from '../../md/analysis';
import { mdOutcome, temperatureResult } from '../../md/runOutcome';
import { readExtendedXyzFrames } from '../../md/trajectory';
import type { MdTemperatureResult } from '../../schemas';
import { sigmaReport } from './sigmaReport';

function main(argv: string[]): Record<string, unknown> {
  const at = argv.indexOf('--measured');
  const measured = at >= 0 ? Number(argv[at + 1]) : null;
  const dirs = argv.filter((a, i) => !a.startsWith('--') && (at < 0 || i !== at + 1));
  if (dirs.length === 0) throw new Error('usage: tsx bench/md/reanalyse.ts <job dir>... [--measured S/cm]');
  const temperatures: (MdTemperatureResult & {
    block_stderr_cm2_per_s: number | null;
    regression_stderr_cm2_per_s: number;
  })[] = dirs.map((dir) => {
    const params = JSON.parse(fs.readFileSync(path.join(dir, 'params.json'), 'utf8'));
    const log = JSON.parse(fs.readFileSync(path.join(dir, 'log.json'), 'utf8'));
    if (log.status !== 'completed') throw new Error(`${dir}: job status ${log.status}, not completed`);
    const traj = readExtendedXyzFrames(
      fs.readFileSync(path.join(dir, 'trajectory.extxyz'), 'utf8'),
      Number(log.frame_interval_fs),
    );
    const a = analyseTrajectory(traj, {
      mobileSpecies: params.mobile_species,
      temperature_K: params.temperature_K,
    });
    return {
      ...temperatureResult(a, { job_name: params.job_name, volume_A3: traj.lattice.volume }),
      block_stderr_cm2_per_s: a.diffusivityBlockStdErr_cm2_per_s,
      regression_stderr_cm2_per_s: a.diffusivityStdErr_cm2_per_s,
    };
  });
  const outcome = mdOutcome(
    { _id: 'reanalysis', campaign_id: 'reanalysis', iteration: 0, candidate_id: 'reanalysis' },
    { status: 'succeeded', temperatures, failure_reason: null },
  );
  return {
    temperatures,
    activation_energy_eV: outcome.activation_energy_eV,
    activation_energy_stderr_eV: outcome.activation_energy_stderr_eV,
    ...sigmaReport(outcome, measured === null ? null : Math.log10(measured)),
    measured_sigma_S_per_cm: measured,
  };
}

process.stdout.write(JSON.stringify(main(process.argv.slice(2))) + '\n');
