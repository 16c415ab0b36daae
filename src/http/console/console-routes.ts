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

/**
 * Nav entries a caller's levels may reveal (`visibleByLevel`) are decided once per request, before
 * the page renders (rendering is synchronous), and remembered for that request's caller object.
 */
function levelNav(api: ApiContext, nav: readonly NavEntry[]) {
  const byLevel = nav.filter((entry) => entry.visibleByLevel !== undefined);
  const decided = new WeakMap<Caller, ReadonlySet<string>>();
  const decide = async (caller: Caller): Promise<void> => {
    const hrefs = new Set<string>();
    for (const entry of byLevel) {
      if (entry.visible(caller.actor)) continue;
      if (await entry.visibleByLevel?.(api, caller.actor).catch(() => false)) hrefs.add(entry.href);
    }
    decided.set(caller, hrefs);
  };
  return {
    decide,
    of: (caller: Caller | undefined): ReadonlySet<string> | undefined => (caller === undefined ? undefined : decided.get(caller)),
    /** Signed-in pages decide the nav before their handler runs. */
    wrap(route: AnyRoute): AnyRoute {
      if (byLevel.length === 0 || route.page !== true || route.auth !== 'user') return route;
      return {
        ...route,
        handle: async (ctx) => {
          await decide(ctx.caller);
          return route.handle(ctx);
        },
      };
    },
  };
}

/** The web console (issue 15): every feature's pages and nav entries, the assets, the error page. */
export function createConsole(api: ApiContext): Console {
  const nav: NavEntry[] = CONSOLE_FEATURES.flatMap((feature) => feature.nav ?? []).sort((a, b) => a.order - b.order);
  const authenticate = createAuthenticator(api.directory.store);
  const levels = levelNav(api, nav);
  const context: ConsoleContext = {
    api,
    render: (caller, content) => layout(caller, nav, content, levels.of(caller)),
    optionalCaller: async (req): Promise<Caller | undefined> => {
      let caller: Caller;
      try {
        caller = await authenticate(req);
      } catch {
        return undefined;
      }
      await levels.decide(caller);
      return caller;
    },
    secure: (req) => (req.socket as TLSSocket).encrypted === true,
    home: (actor) => nav.find((entry) => entry.visible(actor))?.href ?? '/',
  };
  const routes = [...assetRoutes(), ...CONSOLE_FEATURES.flatMap((feature) => feature.routes(context)).map((route) => levels.wrap(route))];
  return { routes, pageError: consoleErrorPage(context) };
}
