// The peer stitching gateway in a process of its own (bench/read.ts starts it with CUSTOMERP_URL and
// CRMOFFICE_URL set): prints {"url"} once it listens.
import { announce } from '../support/child-process.js';
import { startPeerGateway } from './stitching-gateway.js';

const customerp = process.env['CUSTOMERP_URL'];
const crmoffice = process.env['CRMOFFICE_URL'];
if (!customerp || !crmoffice) throw new Error('CUSTOMERP_URL and CRMOFFICE_URL must be set');
const peer = await startPeerGateway({ customerp, crmoffice });
announce({ url: peer.url }, () => peer.close());
