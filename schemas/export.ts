/**
 * `npm run schemas [-- --out DIR]`: writes the JSON Schema of every boundary type, so lab
 * integrators and spec authors can validate without TypeScript. Default folder: schemas/json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { CampaignSpec } from './campaignSpec';
import { Candidate, Pool } from './candidate';
import { CampaignStatus } from './campaignStatus';
import { ExperimentRequest, LabResult, LabResultAck, Measurement } from './experiment';

export const EXPORTED_SCHEMAS: Record<string, z.ZodType> = {
  CampaignSpec,
  Candidate,
  Pool,
  ExperimentRequest,
  LabResult,
  LabResultAck,
  Measurement,
  CampaignStatus,
};

export function writeJsonSchemas(outDir: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  return Object.entries(EXPORTED_SCHEMAS).map(([name, schema]) => {
    // io: 'input' documents what a client may send (defaults optional), which is what integrators need.
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
    const file = path.join(outDir, `${name}.schema.json`);
    fs.writeFileSync(file, JSON.stringify({ title: name, ...json }, null, 2) + '\n');
    return file;
  });
}

if (require.main === module) {
  const i = process.argv.indexOf('--out');
  const outDir = i >= 0 ? process.argv[i + 1] : path.join(__dirname, 'json');
  for (const file of writeJsonSchemas(outDir)) console.log(file);
}
