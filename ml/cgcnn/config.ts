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
  return { ...CGCNN_DEFAULTS, ...overrides, graph: { ...CGCNN_DEFAULTS.graph, ...overrides.graph } };
}

/** Output width: one value for regression, two log-probabilities for classification. */
export function outputLength(config: CgcnnConfig): number {
  return config.task === 'classification' ? 2 : 1;
}
