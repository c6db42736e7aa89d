/**
 * The real PostgreSQL server the serve tests use: `.ci/run` starts one and exports
 * CODEGENIE_TEST_PG_URL. Without it the PostgreSQL tests skip locally, but on CI (CI set) they
 * run and fail, so a missing server can never pass as green.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.CODEGENIE_TEST_PG_URL;
export const SKIP_PG = !PG_URL && !process.env.CI;

/** A new, empty database on the test server; returns its URL. */
export async function freshDatabase(prefix: string): Promise<string> {
  if (!PG_URL) throw new Error('CODEGENIE_TEST_PG_URL is not set: .ci/run starts PostgreSQL and exports it (see .ci/start-postgres.sh)');
  const name = `cg_${prefix.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
