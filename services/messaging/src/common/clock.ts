import { Injectable } from '@nestjs/common';

/** The time, behind an injectable so services can be tested at any instant. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
