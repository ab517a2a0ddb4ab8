// The official TypeScript MCP client 2.x against a Phantom endpoint, in the 2026-07-28 era (see
// scripts/modern-client-check). Usage: node modern-client-check.mjs URL
// Prints one PASS/FAIL line per check; exit code 0 only if all passed.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const url = new URL(process.argv[2] ?? 'http://127.0.0.1:8080/mcp');
const results = [];
const check = async (name, fn) => {
  try {
    const detail = await fn();
    results.push(true);
    console.log(`PASS  ${name}${detail ? `  (${detail})` : ''}`);
  } catch (e) {
    results.push(false);
    console.log(`FAIL  ${name}  ${e?.stack ?? e}`);
  }
};
const withTimeout = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))]);

const elicitations = [];
const client = new Client(
  { name: 'phantom-modern-client-check', version: '1.0.0' },
  { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: 'auto' } }
);
// MRTR input: the client fulfils an input_required result with this handler, then retries the call
// (a fresh request, which the round-robin proxy sends to another node).
client.setRequestHandler('elicitation/create', async (request) => {
  elicitations.push(request.params.message);
  return { action: 'accept', content: { name: 'Alice' } };
});
const toolChanges = [];
client.setNotificationHandler('notifications/tools/list_changed', (n) => {
  toolChanges.push(n);
});

await check('connect: server/discover selects the 2026-07-28 era', async () => {
  await withTimeout(client.connect(new StreamableHTTPClientTransport(url)), 15000, 'connect');
  const era = client.getNegotiatedProtocolVersion?.() ?? client.getProtocolVersion?.();
  if (era !== undefined && era !== '2026-07-28') throw new Error(`negotiated ${era}`);
  return `protocol ${era ?? '(not exposed)'}`;
});

await check('tools/call echo', async () => {
  const r = await withTimeout(client.callTool({ name: 'echo', arguments: { text: 'hello cluster' } }), 15000, 'tools/call');
  const text = r.content?.[0]?.text ?? '';
  if (!text.includes('hello cluster')) throw new Error(`unexpected result ${JSON.stringify(r)}`);
  return text;
});

await check('MRTR: input_required answered by the client, retried through the proxy, completes', async () => {
  const r = await withTimeout(client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} }), 15000, 'tools/call');
  const text = r.content?.[0]?.text ?? '';
  if (elicitations.length < 1) throw new Error('the elicitation handler was never asked');
  if (!text.includes('Alice')) throw new Error(`unexpected result ${JSON.stringify(r)}`);
  return `${elicitations.length} elicitation(s), result "${text}"`;
});

await check('subscriptions/listen receives tools/list_changed triggered through the proxy', async () => {
  const sub = await withTimeout(client.listen({ toolsListChanged: true }), 15000, 'listen');
  try {
    if (!sub.honoredFilter?.toolsListChanged) throw new Error(`filter not honoured: ${JSON.stringify(sub.honoredFilter)}`);
    const before = toolChanges.length;
    // Several triggers: with round robin, the listen's node and each trigger's node differ.
    for (let i = 0; i < 3; i++) {
      await withTimeout(client.callTool({ name: 'test_trigger_tool_change', arguments: {} }), 15000, 'trigger');
    }
    const deadline = Date.now() + 5000;
    while (toolChanges.length - before < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const got = toolChanges.length - before;
    if (got !== 3) throw new Error(`${got} of 3 list_changed notifications arrived`);
    const tagged = toolChanges.slice(before).every((n) => n.params?._meta?.['io.modelcontextprotocol/subscriptionId'] !== undefined);
    if (!tagged) throw new Error('a notification lacks the subscriptionId');
    return '3 of 3, each with its subscriptionId';
  } finally {
    await sub.close();
  }
});

await client.close().catch(() => {});
const failed = results.filter((ok) => !ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
