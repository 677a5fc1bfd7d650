/**
 * Adam over all parameters at once (torch.optim.Adam's update, weight decay 0):
 *   m ← β1 m + (1−β1) g,  v ← β2 v + (1−β2) g²,
 *   p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε).
 * tfjs's own Adam runs ~15 small kernels per variable (~450 launches per CGCNN step); here the
 * gradients are concatenated into one vector so the update is ~15 kernels in total, plus one
 * split and one assign per variable. On a GPU, where launch overhead dominates, that matters;
 * on webgpu the moments and each parameter's update are single WGSL kernels (ml/webgpu).
 */
import type { WeightMap } from '../cgcnn/params';
import { tf, type Tensor } from '../tf';
import { fusedAdamUpdate } from '../webgpu/adamKernels';
import { fusedWebgpuActive } from '../webgpu/flag';

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class FlatAdam {
  private readonly sizes: number[];
  private readonly m: tf.Variable;
  private readonly v: tf.Variable;
  private step = 0;
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(
    private readonly params: readonly tf.Variable[],
    options: AdamOptions,
  ) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.sizes = params.map((p) => p.size);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    this.m = tf.variable(tf.zeros([total]), false);
    this.v = tf.variable(tf.zeros([total]), false);
  }

  /** One update; grads in the order of the parameters given to the constructor. */
  applyGradients(grads: readonly Tensor[]): void {
    this.step += 1;
    const t = this.step;
    const stepSize = this.learningRate / (1 - this.beta1 ** t);
    const correction2 = Math.sqrt(1 - this.beta2 ** t);
    tf.tidy(() => {
      if (fusedWebgpuActive()) {
        const r = fusedAdamUpdate(this.params, grads, this.m, this.v, {
          beta1: this.beta1,
          beta2: this.beta2,
          epsilon: this.epsilon,
          stepSize,
          correction2,
        });
        this.m.assign(r.m);
        this.v.assign(r.v);
        this.params.forEach((p, i) => p.assign(r.params[i]));
        return;
      }
      const g = tf.concat(grads.map((x) => tf.reshape(x, [-1])));
      const m = tf.add(tf.mul(this.m, this.beta1), tf.mul(g, 1 - this.beta1));
      const v = tf.add(tf.mul(this.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
      this.m.assign(m);
      this.v.assign(v);
      const update = tf.div(tf.mul(m, stepSize), tf.add(tf.div(tf.sqrt(v), correction2), this.epsilon));
      const parts = tf.split(update, this.sizes);
      this.params.forEach((p, i) => p.assign(tf.sub(p, tf.reshape(parts[i], p.shape))));
    });
  }

  async state(): Promise<WeightMap> {
    return {
      'adam.step': { shape: [1], values: Float32Array.of(this.step) },
      'adam.m': { shape: this.m.shape.slice(), values: Float32Array.from(await this.m.data()) },
      'adam.v': { shape: this.v.shape.slice(), values: Float32Array.from(await this.v.data()) },
    };
  }

  restore(state: WeightMap): void {
    const m = state['adam.m'];
    const v = state['adam.v'];
    if (!m || !v || m.values.length !== this.m.size)
      throw new Error('FlatAdam.restore: state does not fit these parameters');
    this.m.assign(tf.tensor1d(m.values));
    this.v.assign(tf.tensor1d(v.values));
    this.step = state['adam.step'].values[0];
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}
