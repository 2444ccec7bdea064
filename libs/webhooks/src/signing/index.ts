export * from './webhook-headers';
export { ed25519PrivateKey, standardSecretKey } from './signatures';
