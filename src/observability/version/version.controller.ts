import { Controller, Get } from '@nestjs/common';
import { VersionService, type VersionInfo } from './version.service';

@Controller('version')
export class VersionController {
  constructor(private readonly version: VersionService) {}

  /** Diagnostics: build, runtime, database and effective settings (secrets masked). */
  @Get()
  get(): Promise<VersionInfo> {
    return this.version.info();
  }
}
