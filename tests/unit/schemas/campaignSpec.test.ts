import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CampaignSpec, LabResult, ValidationError, parseOrThrow } from '../../../schemas';
import { writeJsonSchemas } from '../../../schemas/export';
import { csvSpec } from '../../helpers/specs';

const parse = (spec: unknown) => parseOrThrow(CampaignSpec, spec, 'campaign spec');
const messageOf = (spec: unknown) => {
  try {
    parse(spec);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as Error).message;
  }
  throw new Error('spec was accepted');
};

describe('CampaignSpec', () => {
  it('accepts a good spec and fills defaults', () => {
    const spec = parse(csvSpec('pool.csv'));
    expect(spec.continue_as_new_every).toBe(10);
    expect(spec.lab).toEqual({ kind: 'simulated', delay_ms: 0, noise_std: 0, failure_rate: 0, seed: 1 });
    expect(parse({ ...csvSpec('x'), source: { kind: 'obelix' } }).source.kind).toBe('obelix');
  });

  it.each([
    ['version', { version: 2 }, 'version'],
    ['name with a slash', { name: 'a/b' }, 'name'],
    ['objective direction', { objective: { property: 'y', direction: 'up' } }, 'objective.direction'],
    [
      'property with a dot (MongoDB key)',
      { objective: { property: 'log.sigma', direction: 'maximize' } },
      'objective.property',
    ],
    ['unknown source kind', { source: { kind: 'ftp' } }, 'source.kind'],
    ['csv source without id column', { source: { kind: 'csv', path: 'p.csv' } }, 'source.id_column'],
    ['surrogate kind', { surrogate: { kind: 'oracle' } }, 'surrogate.kind'],
    ['batch size zero', { acquisition: { kind: 'ei', batch_size: 0 } }, 'acquisition.batch_size'],
    ['acquisition kind', { acquisition: { kind: 'magic', batch_size: 2 } }, 'acquisition.kind'],
    ['fractional budget', { budget: { experiments: 2.5, iterations: 3 } }, 'budget.experiments'],
    ['missing iterations budget', { budget: { experiments: 5 } }, 'budget.iterations'],
    [
      'seed count above budget',
      { seed_experiments: { count: 50, method: 'random' } },
      'seed_experiments.count',
    ],
    ['failure rate above 1', { lab: { kind: 'simulated', failure_rate: 1.5 } }, 'lab.failure_rate'],
    ['negative random seed', { random_seed: -1 }, 'random_seed'],
    ['unknown top-level field', { budgett: 3 }, 'budgett'],
    [
      'a CGCNN with 9 convolutions',
      { surrogate: { kind: 'cgcnn', architecture: { convolutions: 9 } } },
      'surrogate.architecture.convolutions',
    ],
  ])('refuses %s, naming the field', (_what, override, field) => {
    expect(messageOf({ ...csvSpec('p.csv'), ...override })).toContain(field);
  });

  it("fills a CGCNN architecture's unnamed sizes with the paper's", () => {
    const spec = parse({
      ...csvSpec('p.csv'),
      surrogate: { kind: 'cgcnn', architecture: { atom_features: 32, hidden: 256 } },
    });
    expect(spec.surrogate).toMatchObject({
      architecture: { atom_features: 32, hidden: 256, convolutions: 3, hidden_layers: 1 },
    });
    expect(parse({ ...csvSpec('p.csv'), surrogate: { kind: 'cgcnn' } }).surrogate).not.toHaveProperty(
      'architecture',
    );
  });

  it('reports every bad field at once', () => {
    const msg = messageOf({ ...csvSpec('p.csv'), version: 3, random_seed: 'x' });
    expect(msg).toContain('version');
    expect(msg).toContain('random_seed');
  });
});

describe('LabResult', () => {
  const good = {
    experiment_id: 'e1',
    candidate_id: 'c1',
    property: 'y',
    status: 'succeeded',
    value: 1.5,
    lab_id: 'lab',
    measured_at: '2026-11-27T10:00:00Z',
  };
  it('accepts a succeeded and a failed result', () => {
    expect(parseOrThrow(LabResult, good, 'lab result').value).toBe(1.5);
    const failed = { ...good, status: 'failed', value: undefined, failure_reason: 'broke' };
    expect(parseOrThrow(LabResult, failed, 'lab result').status).toBe('failed');
  });
  it.each([
    ['a succeeded result without value', { value: undefined }, 'value'],
    ['a non-finite value', { value: Infinity }, 'value'],
    ['a bad timestamp', { measured_at: 'yesterday' }, 'measured_at'],
    ['a negative uncertainty', { uncertainty: -1 }, 'uncertainty'],
  ])('refuses %s', (_what, override, field) => {
    expect(() => parseOrThrow(LabResult, { ...good, ...override }, 'lab result')).toThrow(field);
  });
});

describe('JSON Schema export', () => {
  it('writes a schema per boundary type that requires the spec fields', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemas-'));
    const files = writeJsonSchemas(dir);
    expect(files.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining([
        'CampaignSpec.schema.json',
        'LabResult.schema.json',
        'CampaignStatus.schema.json',
      ]),
    );
    const spec = JSON.parse(fs.readFileSync(path.join(dir, 'CampaignSpec.schema.json'), 'utf8'));
    expect(spec.required).toEqual(
      expect.arrayContaining(['version', 'name', 'objective', 'source', 'budget']),
    );
  });
});
