export * from './master-keyring';
export * from './secret-box';
export * from './endpoint-secret';
