/** The private ActiveMQ broker for tests; lives in src/testbed/ since the demo uses it too. */
export * from '../../src/testbed/broker.js';
