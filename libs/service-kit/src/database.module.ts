import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  DEFAULT_PREPARED_STATEMENTS,
  preparingClient,
  StatementNames,
} from './prepared-statements';

export interface DatabaseOptions {
  /** The application role's URL (DATABASE_URL): row-level security applies to it. */
  url: string;
  /** Connections of the pool (DATABASE_POOL_SIZE). */
  poolSize: number;
  /**
   * How many recurring statements run prepared (DATABASE_PREPARED_STATEMENTS, see
   * StatementNames); 0: none.
   */
  preparedStatements?: number;
}

/**
 * `DatabaseModule.forRoot({ url, poolSize, preparedStatements })`: the service's one TypeORM
 * DataSource, injectable everywhere (`constructor(private readonly dataSource: DataSource)`). No
 * entities and no synchronize: repositories write raw, parameterized SQL, migrations own the
 * schema, and every tenant read or write goes through `inTenantTransaction`
 * (@switchboard/tenancy). The pool's connections run recurring statements prepared
 * (preparingClient).
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    const prepared = options.preparedStatements ?? DEFAULT_PREPARED_STATEMENTS;
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: options.url,
          synchronize: false,
          entities: [],
          extra: {
            max: options.poolSize,
            ...(prepared > 0 ? { Client: preparingClient(new StatementNames(prepared)) } : {}),
          },
        }),
      ],
    };
  }
}
