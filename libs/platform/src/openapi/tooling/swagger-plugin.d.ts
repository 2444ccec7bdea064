// The package exports its plugin as `@nestjs/swagger/plugin`, a subpath that the `node`
// module resolution of this project does not map to its types; this points it there.
declare module '@nestjs/swagger/plugin' {
  export * from '@nestjs/swagger/dist/plugin';
}
