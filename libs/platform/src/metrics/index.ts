export * from './herald-metrics';
export * from './metrics.module';
export * from './metrics.route';
