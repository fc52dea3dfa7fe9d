import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src-main/core/input-error.ts';
import { compile, MethodNotAllowedError, Router, type Context, type Middleware } from '../../src-main/server/router.ts';

type App = { trail: string[] };

function run(router: Router<App>, method: string, path: string): { result: unknown; c: Context<App> } {
  const c: Context<App> = { req: {} as IncomingMessage, res: {} as ServerResponse, url: new URL(path, 'http://x'), query: new URLSearchParams(), params: {}, app: { trail: [] } };
  return { result: router.dispatch(c, method, path), c };
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

const mark = (name: string): Middleware<App> => (c, next) => (c.app.trail.push(name), next());

describe('router', () => {
  it('finds literal paths and patterns, with named parameters', () => {
    const r = new Router<App>()
      .get('/a', () => 'a')
      .get('/designs/:name{[^/]+}.:ext{png|jpg}', (c) => c.params)
      .get('/presets/:name{[\\w-]{1,64}}', (c) => c.params.name)
      .get('/files/:rest{.*}', (c) => c.params.rest);
    expect(run(r, 'GET', '/a').result).toBe('a');
    expect(run(r, 'GET', '/designs/my.design.png').result).toEqual({ name: 'my.design', ext: 'png' });
    expect(run(r, 'GET', '/presets/seed-000').result).toBe('seed-000');
    expect(run(r, 'GET', '/files/').result).toBe('');
    expect(run(r, 'GET', '/files/assets/x.js').result).toBe('assets/x.js');
    for (const path of ['/a/', '/designs/x.gif', '/presets/a.b', '/presets/' + 'x'.repeat(65), '/nothing']) {
      const e = thrown(() => run(r, 'GET', path));
      expect(e, path).toBeInstanceOf(InputError);
      expect(e, path).toMatchObject({ kind: 'not-found', field: 'path', message: `path: nothing at ${path}` });
    }
  });

  it('lets literal paths win over patterns, and earlier patterns over later ones', () => {
    const r = new Router<App>().post('/:method{[A-Za-z]+}', () => 'generic').get('/x/:id', () => 'first').get('/x/:other', () => 'second').post('/info', () => 'named');
    expect(run(r, 'POST', '/info').result).toBe('named');
    expect(run(r, 'POST', '/other').result).toBe('generic');
    expect(run(r, 'GET', '/x/1').result).toBe('first');
  });

  it('answers a wrong method with 405 naming what the path has; HEAD is served by GET', () => {
    const r = new Router<App>().get('/batch/:id', () => 'get').delete('/batch/:id', () => 'delete').post('/api', () => 'post');
    expect(run(r, 'HEAD', '/batch/1').result).toBe('get');
    expect(run(r, 'DELETE', '/batch/1').result).toBe('delete');
    const e = thrown(() => run(r, 'PUT', '/batch/1'));
    expect(e).toBeInstanceOf(MethodNotAllowedError);
    expect(e).toMatchObject({ field: 'method', message: 'method: PUT is not allowed here', allow: 'GET, DELETE, HEAD' });
    expect((thrown(() => run(r, 'GET', '/api')) as MethodNotAllowedError).allow).toBe('POST');
  });

  it('runs guards added before a route, in order, and a guard that answers stops the route', async () => {
    const r = new Router<App>()
      .get('/open', (c) => c.app.trail.push('open'))
      .use(mark('one'), mark('two'))
      .get('/guarded', mark('route'), (c) => c.app.trail.push('handler'))
      .use(() => 'answered')
      .get('/stopped', (c) => c.app.trail.push('handler'));
    const open = run(r, 'GET', '/open');
    expect(open.c.app.trail).toEqual(['open']);
    const guarded = run(r, 'GET', '/guarded');
    await guarded.result;
    expect(guarded.c.app.trail).toEqual(['one', 'two', 'route', 'handler']);
    const stopped = run(r, 'GET', '/stopped');
    expect(await stopped.result).toBe('answered');
    expect(stopped.c.app.trail).toEqual(['one', 'two']);
  });

  it('a guard that throws stops the route with its error', async () => {
    const r = new Router<App>()
      .use(() => {
        throw new InputError('token', 'is needed', { kind: 'forbidden' });
      })
      .get('/x', (c) => c.app.trail.push('handler'));
    const { result, c } = run(r, 'GET', '/x');
    await expect(result).rejects.toMatchObject({ field: 'token' });
    expect(c.app.trail).toEqual([]);
  });

  it('mounts a sub-router under a prefix behind the guards the parent has there, once', async () => {
    const api = new Router<App>().use(mark('api')).get('/info', (c) => c.app.trail.push('info')).post('/:method{[a-z]+}', (c) => c.params.method);
    const pages = new Router<App>().get('', () => 'redirect').get('/:file{.*}', (c) => c.params.file);
    const root = new Router<App>().get('/', () => 'index').route('/studio', pages).use(mark('root')).route('/api/studio', api);
    expect(run(root, 'GET', '/').result).toBe('index');
    expect(run(root, 'GET', '/studio').result).toBe('redirect');
    expect(run(root, 'GET', '/studio/index.html').result).toBe('index.html');
    const info = run(root, 'GET', '/api/studio/info');
    await info.result;
    expect(info.c.app.trail).toEqual(['root', 'api', 'info']);
    expect(await run(root, 'POST', '/api/studio/publish').result).toBe('publish');
    expect(() => run(root, 'GET', '/info')).toThrow(/nothing at/);
  });

  it('compiles patterns with escaped literals and balanced braces, and refuses broken ones', () => {
    expect(compile('/plain/path.png')).toBeNull();
    const re = compile('/a.b/:n{[\\w-]{1,3}}.zip')!;
    expect(re.test('/a.b/x-1.zip')).toBe(true);
    expect(re.test('/aXb/x-1.zip')).toBe(false);
    expect(re.test('/a.b/x-12.zip')).toBe(false);
    expect(() => compile('/x/:')).toThrow(/parameter name/);
    expect(() => compile('/x/:n{[a-z]')).toThrow(/unclosed/);
  });
});
