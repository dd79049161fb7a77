import { Injectable } from '@nestjs/common';
import { ToolsService } from '../tools/tools.service';
import type { Server } from './server.model';

/**
 * The API view of a virtual server, shaped like the reference gateway's read model: `associatedTools` lists tool
 * NAMES and `associatedToolIds` their ids, while `associatedResources` and `associatedPrompts` list ids. Each kind
 * also has an explicit `...Ids` field, so a client can always read ids from one place. Every associated item is
 * listed, enabled or not, in the server's order. Create and update bodies take ids (`associatedTools: [id, ...]`).
 */
export type ServerResponse = Omit<Server, 'associatedTools'> & {
  associatedTools: string[];
  associatedToolIds: string[];
  associatedResourceIds: string[];
  associatedPromptIds: string[];
};

@Injectable()
export class ServerPresenter {
  constructor(private readonly tools: ToolsService) {}

  async present(server: Server): Promise<ServerResponse> {
    return (await this.presentAll([server]))[0];
  }

  /** Presents several servers with one lookup of tool names, whatever their number. */
  async presentAll(servers: Server[]): Promise<ServerResponse[]> {
    const ids = [...new Set(servers.flatMap((s) => s.associatedTools))];
    const names = new Map((await this.tools.findByIds(ids)).map((t) => [t.id, t.name]));
    return servers.map((s) => ({
      ...s,
      associatedTools: s.associatedTools.map((id) => names.get(id)).filter((n): n is string => n !== undefined),
      associatedToolIds: [...s.associatedTools],
      associatedResourceIds: [...s.associatedResources],
      associatedPromptIds: [...s.associatedPrompts],
    }));
  }
}
