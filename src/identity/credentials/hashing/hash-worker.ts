import { performance } from 'node:perf_hooks';
import { hashSync as argon2HashSync } from '@node-rs/argon2';
import { hashSync as bcryptHashSync } from '@node-rs/bcrypt';
import { verifyPasswordHash } from './hash-formats';

/**
 * The task a hashing worker thread runs (a Piscina worker, started by PasswordHasherService). Everything here is
 * computed synchronously on this thread, which runs at a lower CPU priority than the event loop: a burst of logins
 * then waits for the cores instead of delaying every other request.
 */
export type HashTask =
  | { operation: 'verify'; password: string; hash: string }
  | { operation: 'hash'; password: string; algorithm: 'argon2id'; memoryKiB: number; iterations: number; parallelism: number }
  | { operation: 'hash'; password: string; algorithm: 'bcrypt'; cost: number };

export interface HashResult {
  /** The new hash, or whether the password matched. */
  value: string | boolean;
  /** Time spent computing, without the wait for a thread. */
  seconds: number;
}

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which isolated modules cannot read). */
const ARGON2ID = 2;

export default async function runHashTask(task: HashTask): Promise<HashResult> {
  const started = performance.now();
  const value = await compute(task);
  return { value, seconds: (performance.now() - started) / 1000 };
}

function compute(task: HashTask): string | boolean | Promise<boolean> {
  if (task.operation === 'verify') return verifyPasswordHash(task.password, task.hash);
  if (task.algorithm === 'bcrypt') return bcryptHashSync(task.password, task.cost);
  return argon2HashSync(task.password, {
    algorithm: ARGON2ID,
    memoryCost: task.memoryKiB,
    timeCost: task.iterations,
    parallelism: task.parallelism,
  });
}
