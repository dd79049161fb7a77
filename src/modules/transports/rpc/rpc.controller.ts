import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../../auth/auth.guard';
import { HostValidationGuard } from '../http/host-validation';
import { ToolCallGate } from '../http/tool-call-gate';
import { RpcService } from './rpc.service';

/**
 * JSON-RPC 2.0 over HTTP: always 200 with a JSON-RPC envelope (204 when only notifications were sent). It calls tools,
 * so it has the MCP endpoints' DNS-rebinding protection (Host/Origin checks).
 */
@Controller('rpc')
@UseGuards(HostValidationGuard)
export class RpcController {
  constructor(
    private readonly rpc: RpcService,
    private readonly gate: ToolCallGate,
  ) {}

  @Post()
  @HttpCode(200)
  async handle(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    const oversized = this.rpc.oversizedBatch(body);
    if (oversized) return void res.json(oversized);
    if (!(await this.gate.admit(req, res, body, true))) return;
    const answer = await this.rpc.handle(body, req.headers, req.user?.subject);
    if (answer === null) res.status(204).end();
    else res.json(answer);
  }
}
