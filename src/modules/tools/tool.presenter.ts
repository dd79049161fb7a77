import { Injectable } from '@nestjs/common';
import { maskCredentials } from '../../common/credentials';
import type { Tool } from './tool.model';
import { ToolsService } from './tools.service';

export type ToolResponse = Omit<Tool, 'authValue'> & { auth: ReturnType<typeof maskCredentials> };

/** The API view of a tool: every field, credentials masked, the encrypted envelope left out. */
@Injectable()
export class ToolPresenter {
  constructor(private readonly tools: ToolsService) {}

  present(tool: Tool): ToolResponse {
    const { authValue: _secret, ...rest } = tool;
    return { ...rest, auth: maskCredentials(this.tools.credentials(tool)) };
  }
}
