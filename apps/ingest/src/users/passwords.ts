import { randomBytes } from 'node:crypto';
import { hash, type Options, verify } from '@node-rs/argon2';
import { InvalidInputError } from '../accounts/errors.js';

/** Shortest password a user may set; generated ones are longer. */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest password accepted anywhere (also at login), so nobody makes the server hash megabytes. */
export const MAX_PASSWORD_LENGTH = 1024;

// argon2id with OWASP's first recommended profile: 19 MiB, 2 passes, 1 lane (~50 ms here). Stored in PHC
// format, so verify() reads the parameters from each digest and they can be raised later.
const ARGON2ID = 2; // Algorithm.Argon2id (a const enum, unusable with isolatedModules)
const OPTIONS: Options = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * Refuses a password that is too short or too long ({@link InvalidInputError}).
 *
 * @example
 * validatePassword('correct horse battery staple'); // ok
 */
export function validatePassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new InvalidInputError(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new InvalidInputError(`a password has at most ${MAX_PASSWORD_LENGTH} characters`);
  }
}

/** argon2id digest in PHC format (`$argon2id$v=19$m=19456,t=2,p=1$…`). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** Whether `password` matches `digest`; a malformed digest is a mismatch, never an error. */
export async function verifyPassword(digest: string, password: string): Promise<boolean> {
  try {
    return await verify(digest, password);
  } catch {
    return false;
  }
}

let dummyDigest: Promise<string> | undefined;

/**
 * Spends the time of a real verification and answers false: a login for an unknown email takes as long
 * as one with a wrong password, so timing does not tell whether an email has a user.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(await prepareDummyDigest(), password);
  return false;
}

/** Hashes the dummy once per process; call at start so the first unknown email is not slower. */
export function prepareDummyDigest(): Promise<string> {
  dummyDigest ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyDigest;
}

/** 24 characters of base64url (144 random bits): what `users create` prints when no password is given. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
