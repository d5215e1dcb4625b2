import { describeExampleSmoke } from '@mbuzz/test-kit';

describeExampleSmoke('koa');
