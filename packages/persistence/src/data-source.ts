import { DataSource, type EntitySchema, type MigrationInterface } from 'typeorm';
import { SnakeNamingStrategy } from './naming.js';

type Constructor<T> = new (...args: never[]) => T;

export interface AppDataSourceOptions {
  url: string;
  /** The app's own schema: every table of the app lives there and nowhere else. */
  schema: string;
  entities?: (Constructor<unknown> | EntitySchema)[];
  migrations?: Constructor<MigrationInterface>[];
  poolSize?: number;
  applicationName?: string;
  /** Server settings for every connection, e.g. `{ temp_buffers: '64MB' }` for bulk work in temp tables. */
  sessionSettings?: Record<string, string>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

export function createAppDataSource(options: AppDataSourceOptions): DataSource {
  if (!SCHEMA_NAME.test(options.schema)) throw new Error(`invalid schema name "${options.schema}"`);
  for (const [k, v] of Object.entries(options.sessionSettings ?? {})) {
    if (!/^[a-z_]+$/.test(k) || !/^[A-Za-z0-9_.]+$/.test(v)) throw new Error(`invalid session setting ${k}=${v}`);
  }
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities ?? [],
    migrations: options.migrations ?? [],
    migrationsTableName: 'migrations',
    namingStrategy: new SnakeNamingStrategy(),
    // Schema changes go through migrations only.
    synchronize: false,
    migrationsRun: false,
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName,
    // Unqualified names in hand-written SQL resolve to the app's schema.
    extra: {
      // standard_conforming_strings is pinned last, whatever else is set: the literals this code writes into SQL (sqlLiteral,
      // COPY statements) double quotes only, which is safe only while a backslash is an ordinary character.
      options: [
        `-c search_path=${options.schema},public`,
        ...Object.entries(options.sessionSettings ?? {}).map(([k, v]) => `-c ${k}=${v}`),
        '-c standard_conforming_strings=on',
      ].join(' '),
    },
  });
}

/**
 * Creates the schema and runs pending migrations, each in its own transaction, under an advisory
 * lock: replicas that start together wait for the first one instead of racing it.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const schema = (dataSource.options as { schema?: string }).schema;
  if (!schema) throw new Error('migrate needs a data source created with a schema');
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('select pg_advisory_lock(hashtext($1))', [`migrations:${schema}`]);
    try {
      await runner.query(`create schema if not exists "${schema}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('select pg_advisory_unlock(hashtext($1))', [`migrations:${schema}`]);
    }
  } finally {
    await runner.release();
  }
}
