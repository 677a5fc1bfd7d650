export * from './campaignSpec';
export * from './candidate';
export * from './experiment';
export * from './campaignStatus';
export * from './validation';
