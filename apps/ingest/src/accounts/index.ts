export {
  type Account,
  type AccountStatus,
  createAccount,
  findAccount,
  getAccount,
  listAccounts,
  setAccountStatus,
  setAccountTimeZone,
  slugify,
} from './accounts.js';
export {
  API_KEY_PATTERN,
  API_KEY_SCOPES,
  type ApiKeyScope,
  type ApiKeySummary,
  apiKeyPrefix,
  type CreatedApiKey,
  createApiKey,
  digestApiKey,
  type Environment,
  getApiKey,
  listApiKeys,
  revokeApiKey,
  revokeApiKeyById,
} from './api-keys.js';
export { AmbiguousKeyError, InvalidInputError, NotFoundError } from './errors.js';
