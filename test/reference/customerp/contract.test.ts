import { runContractSuite } from '../contract-suite.js';
import { customerpAdapter } from './adapter.js';

runContractSuite(customerpAdapter);
