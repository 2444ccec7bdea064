export * from './ssrf-guard';
export * from './system-host-resolver';
export { AddressPolicy } from './address-policy';
export { parseAllowedOrigin } from './allowed-origin';
