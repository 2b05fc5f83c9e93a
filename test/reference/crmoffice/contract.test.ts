import { runContractSuite } from '../contract-suite.js';
import { crmofficeAdapter } from './adapter.js';

runContractSuite(crmofficeAdapter);
