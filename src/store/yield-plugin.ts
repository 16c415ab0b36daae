import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { yieldToEventLoop } from '../domain/progress.js';

/**
 * PGlite runs Postgres on this thread and answers a query within the same macrotask, so a loop
 * of awaited queries (an import, a sync, the view catching up on 20,000 changes) never lets
 * timers or sockets run: measured, 2,000 queries in a row and a 1 ms interval timer fired 0
 * times. LDAP and HTTP then stop answering for the whole loop (issue 20, defect 4). After every
 * PGlite query this plugin gives the event loop one turn; its cost is one setImmediate per query.
 */
export class YieldToEventLoopPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    await yieldToEventLoop();
    return args.result;
  }
}
