/**
 * The ML engine's public surface: backend selection, CGCNN (config, graphs → batches, weights,
 * forward), training with checkpoints, and deep ensembles. Pure domain code: no Temporal, no
 * MongoDB; activities adapt CheckpointSink and progress callbacks to heartbeats and the store.
 */
export {
  selectBackend,
  useBackend,
  BACKEND_NAMES,
  type BackendChoice,
  type BackendName,
} from './backends/select';
export { CGCNN_DEFAULTS, cgcnnConfig, type CgcnnConfig, type CgcnnTask } from './cgcnn/config';
export { collateGraphs, batchTensors, disposeBatch, type HostBatch, type GraphBatch } from './cgcnn/batch';
export {
  initialWeights,
  fromTorchStateDict,
  toTorchStateDict,
  type WeightMap,
  type TorchStateDict,
} from './cgcnn/params';
export { cgcnnForward } from './cgcnn/model';
export {
  MemoryCheckpointSink,
  weightsToJSON,
  weightsFromJSON,
  type CheckpointSink,
  type TrainingCheckpoint,
  type EpochRecord,
} from './training/checkpoint';
export {
  trainCgcnn,
  predictCgcnn,
  TRAINING_DEFAULTS,
  type TrainingOptions,
  type TrainingProgress,
  type TrainedCgcnn,
  type GraphDataset,
} from './training/train';
export { progressBar, progressLine } from './training/progressBar';
export {
  CgcnnDeepEnsemble,
  ensembleMoments,
  type GraphSurrogate,
  type DeepEnsembleOptions,
} from './ensemble/deepEnsemble';
export { intervalCalibration, type IntervalCalibration } from './ensemble/calibration';
export {
  MemoryModelRegistry,
  trainingDataKey,
  type ModelRegistry,
  type ModelRecord,
  type RegisterModel,
} from './registry/modelRegistry';
