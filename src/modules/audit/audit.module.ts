import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditTrail } from '../../common/catalog/audit-trail';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { AuditEntryEntity } from './persistence/audit-entry.entity';
import { AuditRepository } from './repositories/audit.repository';
import { TypeOrmAuditRepository } from './repositories/typeorm-audit.repository';

@Module({
  imports: [TypeOrmModule.forFeature([AuditEntryEntity])],
  controllers: [AuditController],
  providers: [AuditService, { provide: AuditTrail, useExisting: AuditService }, { provide: AuditRepository, useClass: TypeOrmAuditRepository }],
  exports: [AuditService, AuditTrail],
})
export class AuditModule {}
