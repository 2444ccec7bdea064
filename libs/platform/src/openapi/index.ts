export * from './api-errors.decorator';
export * from './openapi.module';
export * from './openapi-document';
export * from './openapi-serialize';
export { eventSchemaName } from './openapi-webhooks';
export { SPEC_JSON_PATH, SPEC_YAML_PATH, DOCS_PATH, REDOC_BUNDLE_PATH } from './redoc-page';
