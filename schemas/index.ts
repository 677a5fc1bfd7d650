export * from './campaignSpec';
export * from './candidate';
export * from './experiment';
export * from './campaignStatus';
export * from './mdStage';
export * from './validation';
export * from './elementSymbols';
