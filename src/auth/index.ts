/** Authentication: who a request comes from (API keys in MongoDB, JWTs), as a Principal with scopes. */
export { SCOPES, isScope, OPEN_PRINCIPAL, type Scope, type Principal, type Authenticate } from './principal.js';
export {
  ApiKeyStore,
  ApiKeyError,
  issueDemoKey,
  API_KEYS_COLLECTION,
  API_KEY_PREFIX,
  DEMO_KEY_NAME,
  type ApiKeyInfo,
  type ApiKeyCheck,
  type ApiKeyRejection,
  type CreatedApiKey,
} from './api-keys.js';
export {
  JwtVerifier,
  JwtConfigError,
  jwtVerifierFromSettings,
  type JwtVerifierOptions,
  type JwtSettings,
  type JwtCheck,
} from './jwt.js';
export { createAuthenticator, type AuthenticatorOptions } from './authenticator.js';
