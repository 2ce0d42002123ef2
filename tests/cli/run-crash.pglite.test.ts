import { describeRunKilled } from './run-crash.js';

describeRunKilled('pglite');
