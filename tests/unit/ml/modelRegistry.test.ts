import { MemoryModelRegistry, trainingDataKey } from '../../../ml/registry/modelRegistry';

describe('model registry', () => {
  it('versions models per name, is idempotent per training data, and returns the latest', async () => {
    const registry = new MemoryModelRegistry();
    const keyA = trainingDataKey(['a', 'b'], [1, 2]);
    const v1 = await registry.register({
      name: 'sigma',
      kind: 'cgcnn_deep_ensemble',
      dataKey: keyA,
      model: { w: 1 },
    });
    const again = await registry.register({
      name: 'sigma',
      kind: 'cgcnn_deep_ensemble',
      dataKey: keyA,
      model: { w: 9 },
    });
    expect(again).toBe(v1);
    const v2 = await registry.register({
      name: 'sigma',
      kind: 'cgcnn_deep_ensemble',
      dataKey: trainingDataKey(['a', 'b', 'c'], [1, 2, 3]),
      metrics: { mae: 1.2 },
      model: { w: 2 },
    });
    expect([v1.id, v2.id]).toEqual(['sigma@1', 'sigma@2']);
    expect((await registry.latest('sigma'))?.id).toBe('sigma@2');
    expect((await registry.get('sigma@1'))?.model).toEqual({ w: 1 });
    expect(await registry.get('other@1')).toBeNull();
    expect((await registry.list('sigma')).map((r) => r.version)).toEqual([1, 2]);
  });

  it('fingerprints training data independently of order, and changes with any target', () => {
    expect(trainingDataKey(['a', 'b'], [1, 2])).toBe(trainingDataKey(['b', 'a'], [2, 1]));
    expect(trainingDataKey(['a', 'b'], [1, 2])).not.toBe(trainingDataKey(['a', 'b'], [1, 2.5]));
  });
});
