// `express4` is `npm:express@4`, installed to run the tests against Express 4 too; its API is the same
// for what the tests use.
declare module 'express4' {
  import express = require('express');
  export = express;
}
