import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ApiContext } from '../api-context.js';
import { createAuthenticator } from '../auth/authenticate.js';
import type { AnyRoute, Caller, Reply } from '../route.js';
import { assetRoutes } from './console-assets.js';
import { consoleErrorPage } from './console-errors.js';
import type { ConsoleContext, NavEntry } from './console-feature.js';
import { CONSOLE_FEATURES } from './console-features.js';
import { layout } from './console-layout.js';

export interface Console {
  readonly routes: AnyRoute[];
  /** For dispatch: how a page answers an error. */
  readonly pageError: (error: unknown, req: IncomingMessage) => Promise<Reply>;
}

/** The web console (issue 15): every feature's pages and nav entries, the assets, the error page. */
export function createConsole(api: ApiContext): Console {
  const nav: NavEntry[] = CONSOLE_FEATURES.flatMap((feature) => feature.nav ?? []).sort((a, b) => a.order - b.order);
  const authenticate = createAuthenticator(api.directory.store);
  const context: ConsoleContext = {
    api,
    render: (caller, content) => layout(caller, nav, content),
    optionalCaller: async (req): Promise<Caller | undefined> => {
      try {
        return await authenticate(req);
      } catch {
        return undefined;
      }
    },
    secure: (req) => (req.socket as TLSSocket).encrypted === true,
    home: (actor) => nav.find((entry) => entry.visible(actor))?.href ?? '/',
  };
  const routes = [...assetRoutes(), ...CONSOLE_FEATURES.flatMap((feature) => feature.routes(context))];
  return { routes, pageError: consoleErrorPage(context) };
}
