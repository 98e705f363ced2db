import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

export interface DatabaseOptions {
  /** The application role's URL (DATABASE_URL): row-level security applies to it. */
  url: string;
  /** Connections of the pool (DATABASE_POOL_SIZE). */
  poolSize: number;
}

/**
 * `DatabaseModule.forRoot({ url, poolSize })`: the service's one TypeORM DataSource, injectable
 * everywhere (`constructor(private readonly dataSource: DataSource)`). No entities and no
 * synchronize: repositories write raw, parameterized SQL, migrations own the schema, and every
 * tenant read or write goes through `inTenantTransaction` (@switchboard/tenancy).
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: options.url,
          synchronize: false,
          entities: [],
          extra: { max: options.poolSize },
        }),
      ],
    };
  }
}
