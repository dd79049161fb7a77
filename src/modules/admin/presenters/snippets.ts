import type { Request } from 'express';
import { slugify } from '../../federation/gateway.model';
import type { Server } from '../../servers/server.model';

/**
 * The base URL MCP clients use: PUBLIC_URL when set (behind a proxy the browser's request may name an internal host
 * or scheme), else the scheme and host of the admin's own request.
 */
export function snippetBaseUrl(publicUrl: string | undefined, req: Pick<Request, 'protocol' | 'get'>): string {
  return publicUrl ?? `${req.protocol}://${req.get('host')}`;
}

/** Copy-paste connection details for one virtual server: endpoint URLs and a desktop-client config using the stdio wrapper. */
export function connectionSnippets(baseUrl: string, server: Pick<Server, 'id' | 'name'>) {
  const streamableHttp = `${baseUrl}/servers/${server.id}/mcp`;
  const sse = `${baseUrl}/servers/${server.id}/sse`;
  const wrapper = {
    mcpServers: {
      [slugify(server.name) || server.id]: {
        command: 'mcpgateway-wrapper',
        env: { MCP_SERVER_URL: streamableHttp, MCP_AUTH: '<your API token>', MCP_TOOL_CALL_TIMEOUT: '60' },
      },
    },
  };
  return [
    { id: 'snippet-http', label: 'Streamable HTTP URL', text: streamableHttp },
    { id: 'snippet-sse', label: 'SSE URL', text: sse },
    { id: 'snippet-wrapper', label: 'Desktop client config (stdio via mcpgateway-wrapper)', text: JSON.stringify(wrapper, null, 2) },
  ];
}
