import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { serviceConfigModule } from './config-module';

const CONFIG = Symbol('CONFIG');

@Injectable()
class Reader {
  constructor(@Inject(CONFIG) readonly config: { NAME: string }) {}
}

@Module({ providers: [Reader] })
class FeatureModule {}

describe('serviceConfigModule', () => {
  it('gives every module the config under its token', async () => {
    const app = await Test.createTestingModule({
      imports: [serviceConfigModule(CONFIG, { NAME: 'billing' }), FeatureModule],
    }).compile();
    expect(app.get(Reader).config).toEqual({ NAME: 'billing' });
  });
});
