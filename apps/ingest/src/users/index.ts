export {
  generatePassword,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  validatePassword,
  verifyPassword,
} from './passwords.js';
export { loadOrCreateSessionSecret, randomSessionSecret } from './session-secret.js';
export {
  createSession,
  csrfTokenOf,
  deleteSession,
  findSession,
  SESSION_TTL_MS,
  type SessionRef,
  type SessionUser,
} from './sessions.js';
export {
  createUser,
  deleteUser,
  findLoginCandidate,
  type LoginCandidate,
  listUsers,
  normalizeEmail,
  USER_ROLES,
  type User,
  type UserRole,
} from './users.js';
