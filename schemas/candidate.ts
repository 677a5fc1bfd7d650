import { z } from 'zod';

/** One candidate material of a pool: an id, its feature vector and what it is. */
export const Candidate = z
  .object({
    pool_id: z.string().min(1),
    candidate_id: z.string().min(1),
    formula: z.string().optional(),
    features: z.array(z.number().finite()),
  })
  .strict();
export type Candidate = z.infer<typeof Candidate>;

/** A pool: which source it came from and the meaning of each feature column. */
export const Pool = z
  .object({
    pool_id: z.string().min(1),
    source: z.record(z.string(), z.unknown()),
    feature_names: z.array(z.string()),
    size: z.number().int().min(0),
    labelled: z.boolean().describe('whether hidden labels exist for the simulated lab'),
  })
  .strict();
export type Pool = z.infer<typeof Pool>;
