import { UserError } from '@aisec/core';
import { join, resolve } from 'node:path';

/** The fixture tree doubles as the workspace, so dependency paths read like a repository's. */
export const FIXTURES = resolve(import.meta.dirname, '../../fixtures/scan-deps/manifests');

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

/** The UserError a promise rejects with; fails the test on success or on any other error. */
export async function userErrorOf(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError, but the call succeeded');
}
