import { invalid } from '../domain/errors.js';
import type { Actor } from '../domain/actor.js';
import type { DirectoryServices } from '../directory/directory-services.js';

/** The part of execute-command.ts's CommandContext these handlers use. */
interface CommandContext {
  readonly directory: DirectoryServices;
  readonly actor: Actor;
}

type Args = Record<string, unknown>;

const ref = (args: Args): string => {
  const value = args['name'];
  if (typeof value !== 'string' || value.trim() === '') throw invalid('name the application', 'name');
  return value;
};

/** `pgdir apps …` (issue 16): the same use cases as /api/v1/apps, as the CLI's actor. */
export const APP_HANDLERS: Record<string, (context: CommandContext, args: Args) => Promise<unknown>> = {
  'apps.add': async ({ directory, actor }, args) => {
    const { app, secret } = await directory.apps.as(actor).create({
      name: args['name'] as string,
      description: typeof args['description'] === 'string' ? args['description'] : undefined,
      access: args['access'],
      allowedCidrs: args['allowedCidrs'] as string[] | undefined,
    });
    return { ...app, secret };
  },
  'apps.list': ({ directory, actor }) => directory.apps.as(actor).list(),
  'apps.show': async ({ directory, actor }, args) => directory.apps.as(actor).users(ref(args)),
  'apps.set-access': ({ directory, actor }, args) => {
    const changes = { access: args['access'], ...(args['allowedCidrs'] === undefined ? {} : { allowedCidrs: args['allowedCidrs'] as string[] }) };
    return directory.apps.as(actor).update(ref(args), changes);
  },
  'apps.rotate': async ({ directory, actor }, args) => {
    const { app, secret } = await directory.apps.as(actor).rotate(ref(args));
    return { ...app, secret };
  },
  'apps.delete': ({ directory, actor }, args) => directory.apps.as(actor).remove(ref(args)),
};
