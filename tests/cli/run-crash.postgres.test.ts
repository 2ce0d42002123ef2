import { describeRunKilled } from './run-crash.js';

describeRunKilled('postgres');
