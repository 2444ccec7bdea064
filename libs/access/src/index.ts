export * from './access.module';
