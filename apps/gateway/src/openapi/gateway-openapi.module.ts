/**
 * The gateway's API description: /api/openapi.json, /api/openapi.yaml and /api/docs,
 * built from the public routes with the swagger plugin metadata of `npm run openapi`.
 */
import { Module } from '@nestjs/common';
import { OpenApiModule } from '@herald/platform/openapi';

export const loadGatewayPluginMetadata = async (): Promise<Record<string, unknown>> =>
  (await import('./swagger-metadata')).default();

@Module({ imports: [OpenApiModule.forRoot({ pluginMetadata: loadGatewayPluginMetadata })] })
export class GatewayOpenApiModule {}
