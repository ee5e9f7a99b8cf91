import { Module } from '@nestjs/common';

/** Identity domain: routes, rules and storage arrive with their issue; the module exists so the layout is complete. */
@Module({})
export class IdentityModule {}
