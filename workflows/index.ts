// The workflow bundle's entry point: every workflow a worker of the orchestration queue runs.
export { campaignWorkflow } from './campaign';
export { experimentWorkflow } from './experiment';
export { mdCandidateWorkflow } from './md';
