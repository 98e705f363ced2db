import { Module } from '@nestjs/common';
import { ListsRepository } from '../lists/lists.repository';
import { ListsResolver } from '../lists/lists.resolver';
import { ListsService } from '../lists/lists.service';
import { SegmentCounters } from '../lists/segment-counters';
import { ProjectionsRepository } from '../projections/projections.repository';
import { ContactImportsController } from './contact-imports.controller';
import { ContactImportsRepository } from './contact-imports.repository';
import { ContactImportsResolver } from './contact-imports.resolver';
import { ContactImportsService } from './contact-imports.service';
import { ContactsRepository } from './contacts.repository';
import { ContactsResolver } from './contacts.resolver';
import { ContactsService } from './contacts.service';

/** Contacts, lists and segments, and CSV imports of contacts. */
@Module({
  controllers: [ContactImportsController],
  providers: [
    ContactImportsRepository,
    ContactImportsService,
    ContactImportsResolver,
    ContactsRepository,
    ListsRepository,
    ProjectionsRepository,
    SegmentCounters,
    ContactsService,
    ListsService,
    ContactsResolver,
    ListsResolver,
  ],
})
export class ContactsModule {}
