import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { AppModule } from '../app.module.js';
import { GatewayEnv } from '../config.js';
import { queryParamsOf } from './query-params.js';

type Handler = (...args: never[]) => unknown;

/** Every route handler of the API, as `Controller.method`. */
function routes(): { name: string; controller: object; handler: Handler; readsWholeQuery: boolean }[] {
  // Building the module's description connects to nothing: the providers are made only when the app starts.
  const controllers = (AppModule.forRoot(new GatewayEnv()).controllers ?? []) as (new (...args: never[]) => object)[];
  return controllers.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype)
      .filter((key) => key !== 'constructor' && Reflect.hasMetadata('method', (controller.prototype as Record<string, Handler>)[key]!))
      .map((key) => {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, key) ?? {}) as Record<string, { data?: unknown }>;
        const readsWholeQuery = Object.entries(args).some(([k, arg]) => k.split(':')[0] === String(RouteParamtypes.QUERY) && arg.data === undefined);
        return { name: `${controller.name}.${key}`, controller, handler: (controller.prototype as Record<string, Handler>)[key]!, readsWholeQuery };
      }),
  );
}

describe('query parameters of the routes', () => {
  it('are declared for every route that reads the whole query string, so none accepts what it would ignore', () => {
    const all = routes();
    expect(all.length).toBeGreaterThan(20);
    const undeclared = all.filter((r) => r.readsWholeQuery && !queryParamsOf(r.controller, r.handler).length).map((r) => r.name);
    expect(undeclared).toEqual([]);
  });

  it('are the named ones and the declared ones', () => {
    const byName = new Map(routes().map((r) => [r.name, queryParamsOf(r.controller, r.handler)]));
    expect(byName.get('AccountsController.list')).toEqual(['cursor', 'limit']);
    expect(byName.get('ContactsController.list')).toEqual(['email', 'listId', 'tag', 'accountId', 'cursor', 'limit']);
    expect(byName.get('ContactsController.get')).toEqual([]);
  });
});
