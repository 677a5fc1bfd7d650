/**
 * CGCNN hyperparameters. Defaults are the paper's (Xie & Grossman, PRL 120, 145301 (2018)) and
 * their reference code's main.py: atom feature 64, 3 convolutions, hidden 128, one hidden
 * layer; graphs with radius 8 Å, 12 neighbours, Gaussian step 0.2 Å.
 */
export type CgcnnTask = 'regression' | 'classification';

export interface CgcnnConfig {
  /** Input atom feature length (CGCNN's atom_init.json embedding: 92). */
  atomInputLength: number;
  /** Gaussian-expanded distance length (41 for 0..8 Å step 0.2 Å). */
  edgeInputLength: number;
  atomFeatureLength: number;
  convLayers: number;
  hiddenLength: number;
  /** Hidden dense layers after pooling (CGCNN's n_h). */
  hiddenLayers: number;
  task: CgcnnTask;
  /** Dropout before the output layer, classification only (CGCNN: nn.Dropout() = 0.5). */
  dropout: number;
  /** BatchNorm momentum and epsilon, PyTorch's defaults. */
  batchNormMomentum: number;
  batchNormEpsilon: number;
  graph: { radius: number; maxNeighbors: number; gaussianStep: number };
  /**
   * Regression only: a second output per crystal, the variance of a Gaussian around the first
   * (var = softplus(out₂) + 1e-6), trained by Gaussian negative log likelihood instead of MSE
   * (Nix & Weigend 1994; the "proper scoring rule" of Lakshminarayanan et al., NeurIPS 2017).
   * The paper's model has no such head; absent means off, so existing configs keep their hash.
   */
  varianceHead?: boolean;
  /**
   * β-NLL (Seitzer et al., ICLR 2022): each crystal's NLL is weighted by its predicted variance^β,
   * held constant in the gradient. Plain NLL (β = 0) lets a model explain hard crystals away with
   * a large variance instead of fitting their mean (on OBELiX: test MAE 2.50–2.85 against
   * 2.36–2.41 with β = 0.5); β = 1 gives the mean the gradient of MSE. Absent: VARIANCE_HEAD_BETA.
   */
  varianceHeadBeta?: number;
}

export const CGCNN_DEFAULTS: CgcnnConfig = {
  atomInputLength: 92,
  edgeInputLength: 41,
  atomFeatureLength: 64,
  convLayers: 3,
  hiddenLength: 128,
  hiddenLayers: 1,
  task: 'regression',
  dropout: 0.5,
  batchNormMomentum: 0.1,
  batchNormEpsilon: 1e-5,
  graph: { radius: 8, maxNeighbors: 12, gaussianStep: 0.2 },
};

export function cgcnnConfig(overrides: Partial<CgcnnConfig> = {}): CgcnnConfig {
  const config = { ...CGCNN_DEFAULTS, ...overrides, graph: { ...CGCNN_DEFAULTS.graph, ...overrides.graph } };
  if (config.varianceHead && config.task !== 'regression')
    throw new Error(
      'cgcnnConfig: varianceHead is for regression; a classifier already predicts probabilities',
    );
  const beta = config.varianceHeadBeta;
  if (beta !== undefined && !(beta >= 0 && beta <= 1))
    throw new Error(`cgcnnConfig: varianceHeadBeta must be in [0, 1], got ${beta}`);
  return config;
}

/** β-NLL's exponent when a config gives none: the value Seitzer et al. recommend. */
export const VARIANCE_HEAD_BETA = 0.5;

/** True when the model predicts a mean and a variance per crystal. */
export function hasVarianceHead(config: CgcnnConfig): boolean {
  return config.task === 'regression' && config.varianceHead === true;
}

/**
 * Output width: one value for regression, mean and raw variance with a variance head, two
 * log-probabilities for classification.
 */
export function outputLength(config: CgcnnConfig): number {
  return config.task === 'classification' || hasVarianceHead(config) ? 2 : 1;
}
