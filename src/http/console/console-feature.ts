import type { IncomingMessage } from 'node:http';
import type { Actor } from '../../domain/actor.js';
import type { ApiContext } from '../api-context.js';
import type { AnyRoute, Caller, Reply } from '../route.js';

/** One link of the console's navigation; shown only to those `visible` says may use the page. */
export interface NavEntry {
  readonly href: string;
  /** The catalog text (messages.ts). */
  readonly label: string;
  /** Position, lowest first (Users 10, Groups 20; leave gaps for others). */
  readonly order: number;
  /** Hide what may() would refuse anyway (the page's use case still decides). */
  readonly visible: (actor: Actor) => boolean;
  /**
   * When `visible` says no from the role alone: whether levels read from the store let the actor
   * use the page after all (Teams for organisation and team admins). Asked once per page view.
   */
  readonly visibleByLevel?: (api: ApiContext, actor: Actor) => Promise<boolean>;
}

/** What a page renders inside the layout. */
export interface PageContent {
  readonly title: string;
  readonly body: string;
  readonly status?: number;
  /** The nav entry to mark as current. */
  readonly section?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A narrow single-column page (sign-in, set-up). */
  readonly narrow?: boolean;
}

/** What every console feature gets: the API's shared context and the page helpers. */
export interface ConsoleContext {
  readonly api: ApiContext;
  /** A full page in the layout; the navigation follows the caller's role. */
  render(caller: Caller | undefined, content: PageContent): Reply;
  /** The signed-in browser session, if any (no 2FA enforcement: callers decide). */
  optionalCaller(req: IncomingMessage): Promise<Caller | undefined>;
  /** Whether the request came over HTTPS (the cookie then gets Secure and the __Host- prefix). */
  secure(req: IncomingMessage): boolean;
  /** Where a signed-in person lands: the first page the navigation offers them, else `/`. */
  home(actor: Actor): string;
}

/**
 * A console feature: its pages and navigation links. Features are listed in console-features.ts,
 * one line each, so that teams, SSO, app passwords, applications, settings… add their pages
 * without editing anyone else's.
 */
export interface ConsoleFeature {
  readonly name: string;
  readonly nav?: readonly NavEntry[];
  routes(console: ConsoleContext): AnyRoute[];
}
