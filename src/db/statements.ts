import { fillPlaceholders, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';

/** SQL text and its parameters, ready to send. */
export interface Statement {
  text: string;
  params: unknown[];
}

const dialect = new PgDialect();

export const compile = (q: SQL): Statement => {
  const { sql: text, params } = dialect.sqlToQuery(q);
  return { text, params };
};

/**
 * A statement of a hot path built once: `build` writes it with a placeholder for each named value, and
 * each call only fills the values in. Building drizzle SQL of this size per request costs more of the
 * service's time than the database spends running it.
 */
export function statementTemplate<K extends string>(names: readonly K[], build: (p: Record<K, Placeholder<K>>) => SQL) {
  let compiled: Statement | null = null;
  return (values: Record<K, unknown>): Statement => {
    compiled ??= compile(build(Object.fromEntries(names.map((n) => [n, sql.placeholder(n)])) as Record<K, Placeholder<K>>));
    return { text: compiled.text, params: fillPlaceholders(compiled.params, values) };
  };
}
