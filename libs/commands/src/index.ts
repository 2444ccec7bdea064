export * from './append/event-appender';
export * from './commands.module';
