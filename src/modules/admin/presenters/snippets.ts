import { slugify } from '../../federation/gateway.model';
import type { Server } from '../../servers/server.model';

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
