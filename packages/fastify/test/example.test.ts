import { describeExampleSmoke } from '@mbuzz/test-kit';

describeExampleSmoke('fastify');
