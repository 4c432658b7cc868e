/** The private ActiveMQ broker for tests; lives in sim/testbed/ since the demo uses it too. */
export * from '../../sim/testbed/broker.js';
