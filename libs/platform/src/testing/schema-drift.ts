import { DataSource, DataSourceOptions } from 'typeorm';

/**
 * The statements TypeORM would run to make the database at `url` match `entities`: none when the
 * schema the migrations built is exactly what the entities describe.
 */
export async function schemaDrift(url: string, entities: DataSourceOptions['entities']): Promise<string[]> {
  const dataSource = await new DataSource({ type: 'postgres', url, entities }).initialize();
  try {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    return pending.upQueries.map((q) => q.query);
  } finally {
    await dataSource.destroy();
  }
}
