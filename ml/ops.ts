/**
 * Graph and dense ops with hand-written gradients. They compute exactly what the plain tfjs
 * ops would; the gradients are written out because the stock ones are slow or missing on the
 * wasm backend (measured, bench/ml/cgcnn.ts):
 * - gather's gradient needs UnsortedSegmentSum, which wasm lacks: scatterND sums duplicate
 *   indices and is the same adjoint; gatherND is also far faster than gather there;
 * - matMul's gradient uses transpose flags, ~10x slower on wasm than explicit transposes;
 * - column sums (bias and BatchNorm gradients, BatchNorm statistics) are tf.sum over axis 0: a
 *   ones-row matMul looks faster on a fixed input, but on a fresh input each call (as in training)
 *   XNNPACK repacks the whole [N·M, 128] operand as "weights" every time; measured on the
 *   10,000-atom benchmark step, tf.sum takes a third less CPU time (4.7 s → 3.2 s).
 */
import { tf, type Tensor } from './tf';

type GradFunc = Parameters<typeof tf.customGrad>[0];

/** Σ over rows of x [n, f] → [f]. */
export function columnSum(x: Tensor): Tensor {
  return tf.sum(x, 0);
}

/** x [n, a] · w [a, b] (+ b [b]) with explicit-transpose gradients. */
export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  if (!b) {
    const op = tf.customGrad(((xs: Tensor, ws: Tensor, save: tf.GradSaveFunc) => {
      save([xs, ws]);
      return {
        value: tf.matMul(xs, ws),
        gradFunc: (dy: Tensor, [sx, sw]: Tensor[]) => [
          tf.matMul(dy, tf.transpose(sw)),
          tf.matMul(tf.transpose(sx), dy),
        ],
      };
    }) as GradFunc);
    return op(x, w) as Tensor;
  }
  const op = tf.customGrad(((xs: Tensor, ws: Tensor, bs: Tensor, save: tf.GradSaveFunc) => {
    save([xs, ws]);
    return {
      value: tf.add(tf.matMul(xs, ws), bs),
      gradFunc: (dy: Tensor, [sx, sw]: Tensor[]) => [
        tf.matMul(dy, tf.transpose(sw)),
        tf.matMul(tf.transpose(sx), dy),
        columnSum(dy),
      ],
    };
  }) as GradFunc);
  return op(x, w, b) as Tensor;
}

/**
 * x · w (+ b) where x needs no gradient (a batch's input features): only w and b get one, which
 * saves the input-gradient product dy·wᵀ ([N·M, 2F]·[2F, 41] for the edge features). x is
 * closed over, not an input of the op, so it must outlive the backward pass, as batch tensors do.
 */
export function linearOnInput(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  if (!b) {
    const op = tf.customGrad(((ws: Tensor, save: tf.GradSaveFunc) => {
      save([]);
      return { value: tf.matMul(x, ws), gradFunc: (dy: Tensor) => [tf.matMul(tf.transpose(x), dy)] };
    }) as GradFunc);
    return op(w) as Tensor;
  }
  const op = tf.customGrad(((ws: Tensor, bs: Tensor, save: tf.GradSaveFunc) => {
    save([]);
    return {
      value: tf.add(tf.matMul(x, ws), bs),
      gradFunc: (dy: Tensor) => [tf.matMul(tf.transpose(x), dy), columnSum(dy)],
    };
  }) as GradFunc);
  return op(w, b) as Tensor;
}

/**
 * rows[k] = x[indices[k]] for x [n, f] and int32 indices [k, 1]; the gradient scatters back
 * with summation (an atom that is the neighbour of many atoms collects all their gradients).
 */
export function gatherRows(x: Tensor, indices: Tensor): Tensor {
  const n = x.shape[0];
  const op = tf.customGrad(((source: Tensor, save: tf.GradSaveFunc) => {
    save([]);
    return {
      value: tf.gatherND(source, indices),
      gradFunc: (dy: Tensor) => tf.scatterND(indices, dy, [n, ...source.shape.slice(1)]),
    };
  }) as GradFunc);
  return op(x) as Tensor;
}

/**
 * Sum of the rows of x [n, f] that belong to each segment: segmentIds int32 [n, 1] with values
 * in [0, segments). Forward is a scatter-add, backward a gather (its adjoint).
 */
export function segmentSum(x: Tensor, segmentIds: Tensor, segments: number): Tensor {
  const op = tf.customGrad(((source: Tensor, save: tf.GradSaveFunc) => {
    save([]);
    return {
      value: tf.scatterND(segmentIds, source, [segments, ...source.shape.slice(1)]),
      gradFunc: (dy: Tensor) => tf.gatherND(dy, segmentIds),
    };
  }) as GradFunc);
  return op(x) as Tensor;
}

export interface BatchNormTraining {
  y: Tensor;
  /** Batch mean and biased variance [f] (for the running statistics). */
  mean: Tensor;
  variance: Tensor;
}

/**
 * Training-mode BatchNorm over the rows of x [n, f] (PyTorch BatchNorm1d semantics: biased
 * batch variance), with the standard closed-form backward
 *   dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)),  dγ = Σ dy · x̂,  dβ = Σ dy,
 * which replaces ~20 autodiff kernels (most of them column sums) with a handful.
 */
export function batchNormTraining(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  epsilon: number,
): BatchNormTraining {
  const n = x.shape[0];
  const mean = tf.div(columnSum(x), n);
  const centered = tf.sub(x, mean);
  const variance = tf.div(columnSum(tf.square(centered)), n);
  const invStd = tf.rsqrt(tf.add(variance, epsilon));
  const xHat = tf.mul(centered, invStd);
  const op = tf.customGrad(((_xs: Tensor, g: Tensor, b: Tensor, save: tf.GradSaveFunc) => {
    // Saved, not closed over: tensors of the forward pass that the tape does not hold are
    // disposed before the backward pass runs.
    save([g, xHat, invStd]);
    return {
      value: tf.add(tf.mul(xHat, g), b),
      gradFunc: (dy: Tensor, [sg, xHat, invStd]: Tensor[]) => {
        const dBeta = columnSum(dy);
        const dGamma = columnSum(tf.mul(dy, xHat));
        const dxHat = tf.sub(tf.sub(dy, tf.div(dBeta, n)), tf.mul(xHat, tf.div(dGamma, n)));
        return [tf.mul(dxHat, tf.mul(sg, invStd)), dGamma, dBeta];
      },
    };
  }) as GradFunc);
  return { y: op(x, gamma, beta) as Tensor, mean, variance };
}
