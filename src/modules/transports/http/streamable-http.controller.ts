import { All, Controller, Param, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../../auth/auth.guard';
import { HostValidationGuard } from './host-validation';
import { StreamableHttpService } from './streamable-http.service';

/** MCP over Streamable HTTP: the whole catalog at `/mcp`, one virtual server at `/servers/{id}/mcp`. */
@Controller()
@UseGuards(HostValidationGuard)
export class StreamableHttpController {
  constructor(private readonly streamable: StreamableHttpService) {}

  @All(['mcp', 'mcp/'])
  global(@Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    return this.streamable.handle(req, res, {});
  }

  @All(['servers/:id/mcp', 'servers/:id/mcp/'])
  server(@Param('id') id: string, @Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    return this.streamable.handle(req, res, { serverId: id });
  }
}
