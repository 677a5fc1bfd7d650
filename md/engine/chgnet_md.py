#!/usr/bin/env python
"""Crucible MD engine adapter: NVT molecular dynamics with ASE + CHGNet's pretrained universal
potential (shipped inside the chgnet package: no download at run time).

    python chgnet_md.py --structure structure.extxyz --params params.json --out-dir DIR

Reads an ordered structure (extended XYZ, or pymatgen Structure.as_dict() JSON when the file
ends in .json) and the parameters md/jobSpec.ts `engineParams` writes. Writes into DIR:
  trajectory.extxyz  all atoms (unwrapped Cartesian positions, Å) every sampling interval of
                     the production run, first frame = start of production;
  progress.json      steps done so far (rewritten atomically; executors read it for heartbeats);
  log.json           parameters, atoms, wall times, steps per second, outcome.
Exit status 0 on success; non-zero with {"status": "failed", "error": ...} in log.json otherwise.
Everything else (inputs, scheduling, analysis) is TypeScript; this file only drives the engine.
"""
import argparse
import json
import math
import os
import sys
import time
import traceback


def write_json_atomic(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def supercell_repeats(cell, min_length):
    """Smallest repeats so every perpendicular width of the supercell is >= min_length (Å)."""
    import numpy as np

    volume = abs(np.linalg.det(cell))
    reps = []
    for i in range(3):
        j, k = (i + 1) % 3, (i + 2) % 3
        width = volume / np.linalg.norm(np.cross(cell[j], cell[k]))
        reps.append(max(1, math.ceil(min_length / width - 1e-9)))
    return reps


def read_structure(path):
    from ase.io import read

    if path.endswith(".json"):
        from pymatgen.core import Structure
        from pymatgen.io.ase import AseAtomsAdaptor

        with open(path) as f:
            return AseAtomsAdaptor.get_atoms(Structure.from_dict(json.load(f)))
    return read(path, format="extxyz", index=0)


def make_dynamics(atoms, p, rng):
    from ase import units

    dt = p["timestep_fs"] * units.fs
    T = p["temperature_K"]
    kind = p["thermostat"]
    param = p.get("thermostat_parameter")
    if kind == "langevin":
        from ase.md.langevin import Langevin

        friction = (param if param else 0.01) / units.fs  # 1/fs
        return Langevin(atoms, dt, temperature_K=T, friction=friction, rng=rng)
    if kind == "nose-hoover":
        from ase.md.nose_hoover_chain import NoseHooverChainNVT

        return NoseHooverChainNVT(atoms, dt, temperature_K=T, tdamp=(param if param else 100.0) * units.fs)
    if kind == "berendsen":
        from ase.md.nvtberendsen import NVTBerendsen

        return NVTBerendsen(atoms, dt, temperature_K=T, taut=(param if param else 100.0) * units.fs)
    raise ValueError(f"unknown thermostat {kind!r}")


def write_frame(f, atoms):
    cell = " ".join(f"{x:.8f}" for x in atoms.cell.array.reshape(-1))
    f.write(f"{len(atoms)}\n")
    f.write(f'Lattice="{cell}" Properties=species:S:1:pos:R:3 pbc="T T T"\n')
    for s, (x, y, z) in zip(atoms.get_chemical_symbols(), atoms.positions):
        f.write(f"{s} {x:.6f} {y:.6f} {z:.6f}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--structure", required=True)
    ap.add_argument("--params", required=True)
    ap.add_argument("--out-dir", required=True)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    log_path = os.path.join(args.out_dir, "log.json")
    progress_path = os.path.join(args.out_dir, "progress.json")
    with open(args.params) as f:
        p = json.load(f)
    log = {"status": "running", "params": p, "started_at": time.time()}
    try:
        import numpy as np
        import torch

        torch.set_num_threads(max(1, int(p.get("threads", 1))))
        t0 = time.time()
        from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary
        from chgnet.model import CHGNet
        from chgnet.model.dynamics import CHGNetCalculator

        atoms = read_structure(args.structure)
        reps = supercell_repeats(np.array(atoms.cell), p["supercell_min_length_A"])
        atoms = atoms.repeat(reps)
        device = p.get("device", "cpu")
        model = CHGNet.load(verbose=False)
        atoms.calc = CHGNetCalculator(model=model, use_device=device)
        log.update(
            num_atoms=len(atoms),
            supercell=reps,
            num_mobile=sum(1 for s in atoms.get_chemical_symbols() if s == p["mobile_species"]),
            volume_A3=float(atoms.get_volume()),
            device=device,
            setup_s=time.time() - t0,
        )
        rng = np.random.default_rng(p["seed"])
        MaxwellBoltzmannDistribution(atoms, temperature_K=p["temperature_K"], rng=rng)
        Stationary(atoms)
        dyn = make_dynamics(atoms, p, rng)

        total = p["equilibration_steps"] + p["production_steps"]
        done = 0
        chunk = p["sampling_interval_steps"]

        def progress(phase):
            write_json_atomic(progress_path, {"steps_done": done, "steps_total": total, "phase": phase})

        t_eq = time.time()
        while done < p["equilibration_steps"]:
            n = min(chunk, p["equilibration_steps"] - done)
            dyn.run(n)
            done += n
            progress("equilibration")
        log["equilibration_s"] = time.time() - t_eq

        t_prod = time.time()
        temps = []
        traj_path = os.path.join(args.out_dir, "trajectory.extxyz")
        with open(traj_path, "w") as traj:
            write_frame(traj, atoms)
            prod = 0
            while prod < p["production_steps"]:
                n = min(chunk, p["production_steps"] - prod)
                dyn.run(n)
                prod += n
                done += n
                if n == chunk:
                    write_frame(traj, atoms)
                temps.append(float(atoms.get_temperature()))
                progress("production")
        prod_s = time.time() - t_prod
        log.update(
            status="completed",
            production_s=prod_s,
            steps_per_s=p["production_steps"] / prod_s if prod_s > 0 else None,
            mean_temperature_K=float(np.mean(temps)) if temps else None,
            frame_interval_fs=p["timestep_fs"] * chunk,
            num_frames=p["production_steps"] // chunk + 1,
            finished_at=time.time(),
        )
        write_json_atomic(log_path, log)
        return 0
    except Exception as e:  # report, then fail the job: the executor maps it to FAILED
        log.update(status="failed", error=f"{type(e).__name__}: {e}", traceback=traceback.format_exc())
        write_json_atomic(log_path, log)
        print(log["traceback"], file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
