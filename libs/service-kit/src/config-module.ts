import { Module, type DynamicModule } from '@nestjs/common';

@Module({})
class ServiceConfigModule {}

/** The service's validated config under its token, for every module of the app (global). */
export function serviceConfigModule(token: symbol | string, config: object): DynamicModule {
  return {
    module: ServiceConfigModule,
    global: true,
    providers: [{ provide: token, useValue: config }],
    exports: [token],
  };
}
