/**
 * The single entry point to TensorFlow.js for the ML engine: tfjs-core with every gradient
 * registered and the pure-JS cpu backend always present (the last-resort backend and the
 * in-process baseline of the benchmarks). Other backends are registered by ml/backends/*.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's CommonJS entry point registers no gradients (every tf.grad fails with "gradient
// function not found"); its dist/register_all_gradients.js is ESM, which jest on Node 20 cannot
// require. The union package's CommonJS bundle registers them all on the shared registry.
// require, not a bare import: bundlers drop bare imports of packages whose package.json
// declares them free of side effects, and registration is exactly a side effect.
require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-cpu');

// PROD silences the "install tfjs-node" banner and skips per-op debug checks; our backend
// selection already logs what it chose and why.
tf.env().set('PROD', true);

export { tf };
export type Tensor = tf.Tensor;
