/**
 * pymatgen Structure.as_dict() JSON, read and write. Reading takes the lattice matrix and each
 * site's fractional "abc" (falling back to Cartesian "xyz"), species with "occu", optional
 * oxidation states and labels; other keys are ignored. Writing produces a dict that
 * Structure.from_dict accepts and that matches as_dict() field for field.
 */
import { z } from 'zod';
import type { Vec3 } from './lattice';
import { Lattice } from './lattice';
import { Structure, type Site, type SiteSpecies } from './structure';

const vec3 = z.tuple([z.number(), z.number(), z.number()]);

const pymatgenStructureSchema = z.object({
  '@module': z.string().optional(),
  '@class': z.string().optional(),
  lattice: z.object({ matrix: z.tuple([vec3, vec3, vec3]) }),
  sites: z
    .array(
      z.object({
        species: z
          .array(
            z.object({
              element: z.string(),
              occu: z.number(),
              oxidation_state: z.number().nullable().optional(),
            }),
          )
          .min(1),
        abc: vec3.optional(),
        xyz: vec3.optional(),
        label: z.string().optional(),
      }),
    )
    .min(1),
});

export type PymatgenStructureDict = z.infer<typeof pymatgenStructureSchema>;

/** Reads a pymatgen Structure dict (object or JSON text); errors name the offending field. */
export function readPymatgenJson(input: unknown, source = 'pymatgen JSON'): Structure {
  let data = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (error) {
      throw new Error(`${source}: not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  const parsed = pymatgenStructureSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const dict = parsed.data;
  if (dict['@class'] !== undefined && dict['@class'] !== 'Structure' && dict['@class'] !== 'IStructure') {
    throw new Error(`${source}: field @class: expected "Structure", got "${dict['@class']}"`);
  }
  const lattice = new Lattice(dict.lattice.matrix);
  const sites: Site[] = dict.sites.map((site, i) => {
    let frac: Vec3;
    if (site.abc !== undefined) frac = site.abc;
    else if (site.xyz !== undefined) frac = lattice.cartToFrac(site.xyz);
    else throw new Error(`${source}: field sites.${i}: neither abc nor xyz`);
    const species: SiteSpecies[] = site.species.map((sp) =>
      sp.oxidation_state === undefined || sp.oxidation_state === null
        ? { element: sp.element, occupancy: sp.occu }
        : { element: sp.element, occupancy: sp.occu, oxidationState: sp.oxidation_state },
    );
    return site.label === undefined ? { species, frac } : { species, frac, label: site.label };
  });
  try {
    return new Structure(lattice, sites);
  } catch (error) {
    throw new Error(`${source}: ${(error as Error).message}`, { cause: error });
  }
}

/** pymatgen Structure.as_dict()-compatible object. */
export function toPymatgenDict(structure: Structure): Record<string, unknown> {
  const { lattice } = structure;
  const [a, b, c] = lattice.abc;
  const [alpha, beta, gamma] = lattice.angles;
  return {
    '@module': 'pymatgen.core.structure',
    '@class': 'Structure',
    charge: 0,
    lattice: {
      matrix: lattice.matrix.map((row) => [...row]),
      pbc: [true, true, true],
      a,
      b,
      c,
      alpha,
      beta,
      gamma,
      volume: lattice.volume,
    },
    properties: {},
    sites: structure.sites.map((site, i) => ({
      species: site.species.map((sp) =>
        sp.oxidationState === undefined
          ? { element: sp.element, occu: sp.occupancy }
          : { element: sp.element, oxidation_state: sp.oxidationState, occu: sp.occupancy },
      ),
      abc: [...site.frac],
      properties: {},
      label: site.label ?? defaultLabel(site, i),
      xyz: structure.cartesian(i),
    })),
  };
}

/** pymatgen's default label: the species string, e.g. "Li" or "Li:0.500, La:0.500". */
function defaultLabel(site: Site, _index: number): string {
  if (site.species.length === 1 && site.species[0].occupancy === 1) return site.species[0].element;
  return site.species.map((s) => `${s.element}:${s.occupancy.toFixed(3)}`).join(', ');
}
