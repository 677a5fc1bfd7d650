import { createSurrogate, restoreSurrogate, SurrogateSpec } from '../../../models/index';
import { SurrogateSpec as SurrogateSchema } from '../../../schemas/campaignSpec';
import { friedman1, uniformMatrix } from './synthetic';

describe('createSurrogate / restoreSurrogate', () => {
  const X = uniformMatrix(25, 5, 1);
  const y = friedman1(X, 0.1, 2);
  const Xq = uniformMatrix(8, 5, 3);

  it.each<[SurrogateSpec]>([
    [{ kind: 'gp' }],
    [{ kind: 'random_forest', trees: 15 }],
    [{ kind: 'gradient_boosting', members: 3, stages: 20 }],
    [{ kind: 'gradient_boosting', stages: 20, uncertainty: 'quantile' }],
    [{ kind: 'kernel_ridge' }],
    [{ kind: 'mlp_ensemble', members: 2 }],
    [{ kind: 'sparse_gp', inducing: 10 }],
  ])('%j round-trips through JSON with identical predictions', (spec) => {
    const s = createSurrogate(spec, 7);
    expect(s.kind).toBe(spec.kind);
    s.fit(X, y);
    const restored = restoreSurrogate(JSON.parse(JSON.stringify(s.toJSON())));
    expect(restored.kind).toBe(spec.kind);
    expect(restored.predict(Xq)).toEqual(s.predict(Xq));
  });

  it('names unknown kinds', () => {
    expect(() => createSurrogate({ kind: 'svm' } as never, 0)).toThrow(/unknown surrogate kind: svm/);
    expect(() => restoreSurrogate({ kind: 'svm' })).toThrow(/unknown kind svm/);
    expect(() => restoreSurrogate(null)).toThrow(/unknown kind/);
  });
});

describe('campaign spec surrogate choice', () => {
  it.each([
    { kind: 'gp' },
    { kind: 'random_forest', trees: 50 },
    { kind: 'gradient_boosting', members: 4, stages: 50 },
    { kind: 'gradient_boosting', stages: 50, uncertainty: 'quantile' },
    { kind: 'kernel_ridge' },
    { kind: 'mlp_ensemble', members: 3 },
    { kind: 'sparse_gp', inducing: 64 },
  ])('%j is a valid spec surrogate that createSurrogate builds', (spec) => {
    const parsed = SurrogateSchema.parse(spec);
    if (parsed.kind === 'cgcnn') throw new Error('cgcnn is trained by an activity, not createSurrogate');
    expect(createSurrogate(parsed, 0).kind).toBe(spec.kind);
  });

  it('gradient_boosting refuses an unknown uncertainty mode, naming the field', () => {
    const r = SurrogateSchema.safeParse({ kind: 'gradient_boosting', uncertainty: 'bayes' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['uncertainty']);
  });

  it('cgcnn: an ensemble of 3 members × 20 epochs without variance heads by default, with bounds', () => {
    expect(SurrogateSchema.parse({ kind: 'cgcnn' })).toEqual({
      kind: 'cgcnn',
      members: 3,
      epochs: 20,
      variance_head: false,
    });
    expect(SurrogateSchema.parse({ kind: 'cgcnn', members: 2, epochs: 4, variance_head: true })).toEqual({
      kind: 'cgcnn',
      members: 2,
      epochs: 4,
      variance_head: true,
    });
    expect(() => SurrogateSchema.parse({ kind: 'cgcnn', variance_head: 'yes' })).toThrow(/variance_head/);
    expect(() => SurrogateSchema.parse({ kind: 'cgcnn', members: 1 })).toThrow(); // no spread, no std
    expect(() => SurrogateSchema.parse({ kind: 'cgcnn', epochs: 0 })).toThrow();
    expect(() => SurrogateSchema.parse({ kind: 'cgcnn', epochs: 1.5 })).toThrow();
    expect(() => SurrogateSchema.parse({ kind: 'cgcnn', members: 21 })).toThrow();
  });

  it('refuses unknown fields and kinds', () => {
    expect(() => SurrogateSchema.parse({ kind: 'kernel_ridge', gamma: 1 })).toThrow();
    expect(() => SurrogateSchema.parse({ kind: 'svm' })).toThrow();
  });
});
