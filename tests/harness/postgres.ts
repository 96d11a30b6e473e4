/** Reads PostgreSQL from a test. */
import { Client } from 'pg';

export async function queryRows<T = Record<string, unknown>>(databaseUrl: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return (await db.query(sql, values)).rows as T[];
  } finally {
    await db.end();
  }
}

export async function countRows(databaseUrl: string, sql: string, values: unknown[] = []): Promise<number> {
  const [row] = await queryRows<{ count: string }>(databaseUrl, sql, values);
  return Number(row.count);
}
