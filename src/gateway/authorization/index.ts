/** Authorization by scopes declared in the schema (`@auth`), applied as a schema transform. */
export { authDirectiveTransformer } from './auth-directive-transformer.js';
export { AUTH_DIRECTIVE, fieldScopes, requiredScopes, rootFieldScopes, type FieldScopes } from './field-scopes.js';
export { assertScopes, RECORD_SCOPES } from './record-scopes.js';
