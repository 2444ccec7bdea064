export * from './command';
export * from './command.handler';
export * from './command-request.dto';
export * from './command-route';
