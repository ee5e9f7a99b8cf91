import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';

/** Provides the Clock everywhere (tests override the provider with a clock they move). */
@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
