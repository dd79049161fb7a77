import { Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../../auth/auth.guard';
import { HostValidationGuard } from '../http/host-validation';
import { LegacySseService } from './legacy-sse.service';

/** MCP over the legacy HTTP+SSE transport, for clients that predate Streamable HTTP. */
@Controller()
@UseGuards(HostValidationGuard)
export class LegacySseController {
  constructor(private readonly sse: LegacySseService) {}

  @Get('sse')
  openGlobal(@Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    return this.sse.open(req, res, {});
  }

  @Post('message')
  postGlobal(@Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    return this.sse.post(req, res, {});
  }

  @Get('servers/:id/sse')
  open(@Param('id') id: string, @Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    return this.sse.open(req, res, { serverId: id });
  }

  @Post('servers/:id/message')
  post(@Param('id') id: string, @Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    return this.sse.post(req, res, { serverId: id });
  }
}
