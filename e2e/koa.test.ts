import { describeExampleJourney } from './harness/describe-example-journey.js';

describeExampleJourney('koa');
