import {
  type CodeFlowRequest,
  type CodeFlowResult,
  type Credentials,
  runCodeFlow as runPageFlow,
} from '@footfall/testing';
import type { AuthServer } from './auth-server.ts';

export { type CodeFlowRequest, exchangeCode } from '@footfall/testing';

/**
 * @footfall/testing's code flow as the auth tests run it: always asking for the consent page,
 * because the provider shows it for offline_access only when the client prompts for consent.
 */
export function runCodeFlow(
  server: Pick<AuthServer, 'url'>,
  request: CodeFlowRequest,
  credentials: Credentials,
): Promise<CodeFlowResult> {
  return runPageFlow(server, { prompt: 'consent', ...request }, credentials);
}
