import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { KAFKA } from '@switchboard/events';

/**
 * What `/health/ready` probes: the database pool and the Kafka cluster. The health module is
 * configured before the app exists, so its checks reach these through a holder filled here.
 */
export class ReadinessTargets {
  dataSource?: DataSource;
  probeKafka?: () => Promise<unknown>;
}

@Injectable()
export class ReadinessBinding implements OnApplicationShutdown {
  private admin?: Admin;
  private connected?: Promise<void>;

  constructor(targets: ReadinessTargets, dataSource: DataSource, @Inject(KAFKA) kafka: Kafka) {
    targets.dataSource = dataSource;
    targets.probeKafka = async () => {
      this.admin ??= kafka.admin();
      this.connected ??= this.admin.connect().catch((error: unknown) => {
        this.connected = undefined;
        throw error;
      });
      await this.connected;
      return this.admin.describeCluster();
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.connected) await this.admin?.disconnect().catch(() => undefined);
  }
}
