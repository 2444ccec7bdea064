/**
 * The access tokens' cache: a second `KeyCache`, filled from `oauth_tokens` and emptied by
 * the same change listener as the keys' (a client revoked is announced as
 * `<tenant>:<client id>`, the id a token's record carries).
 */
export const OAUTH_TOKEN_CACHE = Symbol('OAUTH_TOKEN_CACHE');
