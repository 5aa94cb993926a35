import type { FastifyInstance, RouteOptions } from 'fastify';

type Plugin<O> = (instance: FastifyInstance, options: O, done: (error?: Error) => void) => unknown;

/**
 * Registers a plugin whose hooks should run for every route except some. Fastify applies a
 * root-level hook to every route, including routes declared before the hook (hooks are resolved
 * when the server becomes ready), so plain registration order cannot keep a hook off a route.
 * Here the plugin's `addHook` calls are captured and re-attached as route-level hooks through
 * `onRoute` — to every route `skip` does not exclude. Everything else the plugin does
 * (decorators) goes to the real instance.
 *
 * Used for @fastify/session: the lean routes (lean-routes.ts) authenticate by themselves and
 * must not pay for loading, hashing and re-signing a session object on every request.
 * Call it before any route to be covered is declared (Nest declares its routes at init).
 */
export async function registerForRoutes<O>(fastify: FastifyInstance, plugin: Plugin<O>, options: O, skip: (route: RouteOptions) => boolean): Promise<void> {
  const hooks: { name: string; hook: unknown }[] = [];
  const facade = new Proxy(fastify, {
    get(target, property) {
      if (property === 'addHook') {
        return (name: string, hook: unknown) => {
          hooks.push({ name, hook });
          return facade;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  await new Promise<void>((resolve, reject) => {
    const result = plugin(facade, options, (error?: Error) => (error ? reject(error) : resolve()));
    if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(() => resolve(), reject);
  });
  const unsupported = hooks.filter((h) => !['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend', 'onResponse', 'onTimeout', 'onError'].includes(h.name));
  if (unsupported.length) throw new Error(`registerForRoutes: hooks ${unsupported.map((h) => h.name).join(', ')} cannot be scoped to routes`);
  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (skip(route)) return;
    const target = route as unknown as Record<string, unknown>;
    for (const { name, hook } of hooks) {
      const existing = target[name];
      target[name] = existing === undefined ? [hook] : Array.isArray(existing) ? [...(existing as unknown[]), hook] : [existing, hook];
    }
  });
}
