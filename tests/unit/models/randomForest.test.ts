import * as fs from 'node:fs';
import * as path from 'node:path';
import { RandomForest } from '../../../models/randomForest';
import { runPython } from '../../helpers/python';
import { friedman1, rSquared, uniformMatrix } from './synthetic';

const REFERENCE = fs.readFileSync(path.resolve(__dirname, '../../reference/models/rf_reference.py'), 'utf8');

describe('RandomForest', () => {
  const X_train = uniformMatrix(200, 10, 31);
  const y_train = friedman1(X_train, 1, 32);
  const X_test = uniformMatrix(300, 10, 33);
  const y_test = friedman1(X_test, 0, 34);

  it('beats the mean predictor by a clear margin and is within 0.05 R² of sklearn RandomForestRegressor', () => {
    const rf = new RandomForest({ trees: 200 }, 1);
    rf.fit(X_train, y_train);
    const r2 = rSquared(y_test, rf.predict(X_test).mean);
    const ref = runPython<{ r2: number }>(REFERENCE, {
      X_train,
      y_train,
      X_test,
      y_test,
      trees: 200,
      max_features: 1 / 3,
      min_samples_leaf: 1,
      seeds: [0, 1, 2],
    });
    console.log(`R² ours ${r2.toFixed(4)}, sklearn ${ref.r2.toFixed(4)}`);
    expect(r2).toBeGreaterThan(0.5); // the mean predictor scores ~0
    expect(Math.abs(r2 - ref.r2)).toBeLessThan(0.05);
  });

  it('is deterministic by seed, and seeds matter', () => {
    const fitPredict = (seed: number) => {
      const rf = new RandomForest({ trees: 20 }, seed);
      rf.fit(X_train, y_train);
      return rf.predict(X_test.slice(0, 20));
    };
    expect(fitPredict(4)).toEqual(fitPredict(4));
    expect(fitPredict(4).mean).not.toEqual(fitPredict(5).mean);
  });

  it('std is the spread across trees: zero with one tree, larger away from data', () => {
    const one = new RandomForest({ trees: 1 }, 0);
    one.fit(X_train, y_train);
    expect(Array.from(one.predict(X_test.slice(0, 5)).std)).toEqual([0, 0, 0, 0, 0]);
    const rf = new RandomForest({ trees: 50, minSamplesLeaf: 3 }, 0);
    rf.fit(X_train, y_train);
    const stds = Array.from(rf.predict(X_test).std);
    expect(Math.min(...stds)).toBeGreaterThanOrEqual(0);
    expect(stds.reduce((a, b) => a + b) / stds.length).toBeGreaterThan(0.1);
  });

  it('restores predictions exactly from JSON', () => {
    const rf = new RandomForest({ trees: 10 }, 2);
    rf.fit(X_train, y_train);
    const restored = RandomForest.fromJSON(JSON.parse(JSON.stringify(rf.toJSON())));
    expect(restored.predict(X_test)).toEqual(rf.predict(X_test));
  });

  it('conditionOn (fantasy at the forest mean) shrinks the spread there and survives JSON', () => {
    const rf = new RandomForest({ trees: 50 }, 3);
    rf.fit(X_train, y_train);
    const x = X_test.slice(0, 3);
    const before = rf.predict(x);
    const cond = rf.conditionOn(x, Array.from(before.mean));
    const after = cond.predict(x);
    for (let i = 0; i < 3; i++) {
      expect(after.std[i]).toBeLessThan(before.std[i]);
      expect(Math.abs(after.mean[i] - before.mean[i])).toBeLessThan(before.std[i]);
    }
    expect(rf.predict(x)).toEqual(before); // the original is untouched
    expect(RandomForest.fromJSON(JSON.parse(JSON.stringify(cond.toJSON()))).predict(X_test)).toEqual(
      cond.predict(X_test),
    );
  });

  it('rejects bad options and input', () => {
    expect(() => new RandomForest({ trees: 0 })).toThrow(/trees must be a positive integer/);
    expect(() => new RandomForest({ featureFraction: 2 })).toThrow(/featureFraction/);
    const rf = new RandomForest({ trees: 3 });
    expect(() => rf.predict([[1]])).toThrow(/not fitted/);
    expect(() =>
      rf.fit(
        [
          [1, 2],
          [3, 4],
        ],
        [1],
      ),
    ).toThrow(/y length mismatch/);
    rf.fit(
      [
        [1, 2],
        [3, 4],
      ],
      [1, 2],
    );
    expect(() => rf.predict([[1, 2, 3]])).toThrow(/shape mismatch/);
    const json = rf.toJSON();
    json.trees[1].value.pop();
    expect(() => RandomForest.fromJSON(json)).toThrow(/tree 1 is malformed/);
  });
});
