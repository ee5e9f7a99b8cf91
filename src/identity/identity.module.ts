import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { SchemaModule } from '../schema/schema.module';
import { PasswordHasherService } from './credentials/password-hasher.service';
import { RecoveryAddressEntity, VerifiableAddressEntity } from './entities/identity-address.entity';
import { IdentityCredentialEntity, IdentityCredentialIdentifierEntity } from './entities/identity-credential.entity';
import { IdentityEntity } from './entities/identity.entity';
import { IdentityBatchService } from './identity-batch.service';
import { IdentityController } from './identity.controller';
import { IdentityFactory } from './identity-factory';
import { IdentityLifecycleHooks } from './identity-lifecycle-hooks';
import { IdentityReader } from './identity-reader';
import { IdentityRepository } from './identity.repository';
import { IdentityService } from './identity.service';

/**
 * Identities, their credentials (hashing and import formats) and addresses: the admin identity API. It imports no
 * other domain: what must follow a change elsewhere listens on IdentityLifecycleHooks.
 */
@Module({
  imports: [
    DatabaseModule,
    SchemaModule,
    TypeOrmModule.forFeature([IdentityEntity, IdentityCredentialEntity, IdentityCredentialIdentifierEntity, VerifiableAddressEntity, RecoveryAddressEntity]),
  ],
  controllers: [IdentityController],
  providers: [IdentityRepository, IdentityReader, IdentityLifecycleHooks, IdentityFactory, IdentityService, IdentityBatchService, PasswordHasherService],
  // Other modules read through IdentityReader and write through IdentityService; the repository stays inside.
  exports: [IdentityService, IdentityReader, IdentityLifecycleHooks, PasswordHasherService],
})
export class IdentityModule {}
