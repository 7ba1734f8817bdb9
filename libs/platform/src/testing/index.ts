export * from './http';
export * from './test-database';
export * from './template-database';
export * from './metrics';
export * from './readme';
export * from './loopback-server';
export * from './eventually';
export * from './openapi-fuzz';
