/**
 * OPTIMADE structure entries (OPTIMADE v1 "structures" resource) -> Structure. Accepts a full
 * response ({data: entry}), an entry ({id, type, attributes}) or bare attributes. Uses
 * lattice_vectors, cartesian_site_positions, species_at_sites and species (chemical_symbols with
 * concentration, so disordered sites keep their occupancies; "vacancy" and "X" are dropped,
 * leaving the occupancy below 1). Only fully periodic structures (dimension_types [1,1,1]).
 */
import { z } from 'zod';
import { Lattice, type Vec3 } from './lattice';
import { Structure, type Site } from './structure';

const vec3 = z.tuple([z.number(), z.number(), z.number()]);

const attributesSchema = z.object({
  lattice_vectors: z.tuple([vec3, vec3, vec3]),
  cartesian_site_positions: z.array(vec3).min(1),
  species_at_sites: z.array(z.string()).min(1),
  species: z
    .array(
      z.object({
        name: z.string(),
        chemical_symbols: z.array(z.string()).min(1),
        concentration: z.array(z.number()).min(1),
      }),
    )
    .min(1),
  dimension_types: z.tuple([z.number(), z.number(), z.number()]).optional(),
});

export function readOptimadeStructure(input: unknown, source = 'OPTIMADE entry'): Structure {
  let data = typeof input === 'string' ? parseJson(input, source) : input;
  if (isObject(data) && 'data' in data) data = data.data;
  if (Array.isArray(data)) {
    if (data.length !== 1)
      throw new Error(`${source}: field data: expected one structure entry, got ${data.length}`);
    data = data[0];
  }
  if (isObject(data) && 'attributes' in data) {
    if (data.type !== undefined && data.type !== 'structures') {
      throw new Error(`${source}: field type: expected "structures", got ${JSON.stringify(data.type)}`);
    }
    data = data.attributes;
  }
  const parsed = attributesSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: field attributes.${issue.path.join('.')}: ${issue.message}`);
  }
  const a = parsed.data;
  if (a.dimension_types !== undefined && a.dimension_types.some((d) => d !== 1)) {
    throw new Error(
      `${source}: field attributes.dimension_types: only fully periodic structures are supported`,
    );
  }
  if (a.species_at_sites.length !== a.cartesian_site_positions.length) {
    throw new Error(
      `${source}: field attributes.species_at_sites: ${a.species_at_sites.length} entries for ${a.cartesian_site_positions.length} positions`,
    );
  }
  const speciesByName = new Map(a.species.map((s) => [s.name, s]));
  const lattice = new Lattice(a.lattice_vectors);
  const sites: Site[] = a.species_at_sites.map((name, i) => {
    const sp = speciesByName.get(name);
    if (sp === undefined)
      throw new Error(`${source}: field attributes.species_at_sites.${i}: no species named "${name}"`);
    if (sp.chemical_symbols.length !== sp.concentration.length) {
      throw new Error(
        `${source}: field attributes.species (${name}): chemical_symbols and concentration differ in length`,
      );
    }
    const species = sp.chemical_symbols
      .map((element, k) => ({ element, occupancy: sp.concentration[k] }))
      .filter((s) => s.element !== 'vacancy' && s.element !== 'X');
    return { species, frac: lattice.cartToFrac(a.cartesian_site_positions[i] as Vec3), label: name };
  });
  try {
    return new Structure(lattice, sites);
  } catch (error) {
    throw new Error(`${source}: ${(error as Error).message}`, { cause: error });
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
