// `koa2` is `npm:koa@2`, installed to run the tests against Koa 2 too; its API is the same for what the
// tests use.
declare module 'koa2' {
  import Koa = require('koa');
  export = Koa;
}
